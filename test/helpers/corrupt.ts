/**
 * Damaged copies of the files Janus writes (each written to `out`, its folders made), and the
 * check that reading one is a clear error: a `UserError` whose message names the file and the
 * field, never a TypeError.
 *
 *   const bad = editedCopy(file, join(dir, 'bad.json'), (d) => { d.frames.total = 'abc'; });
 *   assertFileError(() => readMetrics(bad), bad, /frames\.total: expected a number, got "abc"/);
 *   lineEditedCopy(log, join(dir, 'loss.jsonl'), 2, (l) => l.replace('"lossA":0.1', '"lossA":"low"'));
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as assert from 'uvu/assert';
import { UserError } from '../../src/util/errors.ts';

// the parsed file, edited freely to damage it
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

/** `text` written to `out` (its folders made); returns `out`. */
function writeCopy(out: string, text: string): string {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
  return out;
}

/** A copy of a JSON file with `edit` applied to its parsed content. */
export function editedCopy(file: string, out: string, edit: (doc: Doc) => void): string {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Doc;
  edit(doc);
  return writeCopy(out, JSON.stringify(doc, null, 2));
}

/** A copy of a file cut to `fraction` of its characters (a crash mid-write, a full disk). */
export function truncatedCopy(file: string, out: string, fraction = 0.6): string {
  const text = readFileSync(file, 'utf8');
  return writeCopy(out, text.slice(0, Math.max(1, Math.floor(text.length * fraction))));
}

/** A copy of a text file (a JSON-lines log) with line `line` (1-based) replaced by `edit` of it. */
export function lineEditedCopy(file: string, out: string, line: number, edit: (text: string) => string): string {
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines[line - 1] === undefined) throw new Error(`${file} has ${lines.length} lines, no line ${line} to damage`);
  lines[line - 1] = edit(lines[line - 1]!);
  return writeCopy(out, lines.join('\n'));
}

function check(err: unknown, file: string, detail: RegExp): void {
  if (!(err instanceof UserError)) assert.unreachable(`expected a UserError, got ${err instanceof Error ? `${err.name}: ${err.stack}` : String(err)}`);
  const e = err as UserError;
  assert.ok(e.message.includes(file), `the message names the file ${file}: ${e.message}`);
  assert.match(e.message, detail);
  assert.ok(e.hint, 'with a hint');
}

/** `fn()` throws a UserError naming `file` and matching `detail` (the field and what was wrong). */
export function assertFileError(fn: () => unknown, file: string, detail: RegExp): void {
  try {
    fn();
  } catch (err) {
    check(err, file, detail);
    return;
  }
  assert.unreachable(`reading ${file} should have failed`);
}

/** Async `assertFileError`. */
export async function assertFileRejects(fn: () => Promise<unknown>, file: string, detail: RegExp): Promise<void> {
  try {
    await fn();
  } catch (err) {
    check(err, file, detail);
    return;
  }
  assert.unreachable(`reading ${file} should have failed`);
}
