/**
 * The one CSV reader (csv-parse underneath): a header row, then rows; quoted cells (with commas,
 * quotes as "" and line breaks inside), a UTF-8 BOM, CRLF line ends, blank lines skipped, cells
 * trimmed, and optional `#` comment lines. Each row keeps the line it started on, for errors.
 * `csvRow` writes a row back, quoting the cells that need it.
 *
 *   const t = parseCsv('video,identity\n"clips/a, take 2.mp4",alice\n', 'bench.csv');
 *   t.header                 // ['video', 'identity']
 *   t.rows[0]                // { cells: ['clips/a, take 2.mp4', 'alice'], line: 2 }
 *   csvRecords(t)            // [{ video: 'clips/a, take 2.mp4', identity: 'alice' }]
 *   csvRow(['a,b', 3])       // '"a,b",3'
 */
import { parse } from 'csv-parse/sync';
import { UserError } from './errors.ts';

export interface CsvRow {
  cells: string[];
  /** The line (1-based) the row starts on. */
  line: number;
}

export interface CsvTable {
  header: string[];
  rows: CsvRow[];
}

export interface CsvOptions {
  /** Skip lines that start with `#` (a `#` inside a cell is kept). */
  comments?: boolean;
}

/** Parse CSV text; `file` names it in errors (a UserError: unclosed quote, stray quote). */
export function parseCsv(text: string, file: string, opts: CsvOptions = {}): CsvTable {
  const rows: CsvRow[] = [];
  // info.lines is a row's last line: back up over the line breaks inside its quoted cells
  const breaks = (cells: string[]) => cells.reduce((n, c) => n + (c.match(/\r?\n/g)?.length ?? 0), 0);
  try {
    parse(text, {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      record_delimiter: ['\r\n', '\n'],
      relax_column_count: true,
      ...(opts.comments ? { comment: '#', comment_no_infix: true } : {}),
      on_record: (cells: string[], info) => {
        // a line of spaces reads as one empty cell: skipped like an empty line
        if (!(cells.length === 1 && cells[0] === '')) rows.push({ cells, line: info.lines - breaks(cells) });
        return null;
      },
    });
  } catch (err) {
    throw new UserError(`${file}: expected CSV (a header row, then one row a line; quote cells that hold commas), got an error: ${(err as Error).message}`);
  }
  const head = rows.shift();
  return { header: head?.cells ?? [], rows };
}

/** Rows as objects keyed by the header; cells beyond the header are `col<i>`. */
export function csvRecords(t: CsvTable): Array<Record<string, string>> {
  return t.rows.map((r) => Object.fromEntries(r.cells.map((v, i) => [t.header[i] ?? `col${i}`, v])));
}

/** One CSV line (no line end): cells with a comma, quote, line break or edge space are quoted. */
export function csvRow(cells: readonly (string | number)[]): string {
  return cells.map((c) => (typeof c === 'string' && /[",\r\n]|^\s|\s$/.test(c) ? `"${c.replaceAll('"', '""')}"` : String(c))).join(',');
}
