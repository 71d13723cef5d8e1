/**
 * README's option tables, generated from the option schemas: one table per command between
 * `<!-- options: NAME -->` and `<!-- /options -->`. Prints them, or rewrites README.md in
 * place of the old ones (`--write`, atomically); test/cli/cli.test.ts checks that README's
 * tables say what the schemas say (test/cli/schema-options.test.ts checks the differences it names).
 *
 *   npx tsx src/cli/readme-options.ts            # print every command's table
 *   npx tsx src/cli/readme-options.ts --write    # regenerate README.md's tables (make readme-options)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../util/atomic-write.ts';
import type { CommandSpec } from './command.ts';
import { COMMANDS } from './commands.ts';
import { optionFields, type OptionField } from './schema-options.ts';

/** One README table row, as written and as parsed back. */
export interface OptionRow {
  flags: string;
  default: string;
  choices: string;
  help: string;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');
const code = (s: string) => `\`${s}\``;

function optionRow(f: OptionField): OptionRow {
  return {
    flags: f.flags,
    default: f.required ? 'required' : f.shownDefault !== undefined ? code(f.shownDefault) : '',
    choices: f.choices ? f.choices.map(code).join(', ') : '',
    help: f.help + (f.env ? ` (env ${code(f.env)})` : ''),
  };
}

const TABLE_HEAD = '| option | default | choices | what it does |\n|---|---|---|---|';

export function optionsTable(spec: CommandSpec): string {
  const rows = optionFields(spec.options).map(optionRow);
  return [TABLE_HEAD, ...rows.map((r) => `| ${cell(code(r.flags))} | ${cell(r.default)} | ${cell(r.choices)} | ${cell(r.help)} |`)].join('\n');
}

const blockPattern = (name: string) => new RegExp(`(<!-- options: ${name} -->\\n)([\\s\\S]*?)(<!-- /options -->)`);

/** README's table of `name`'s options, parsed (null when README has none). */
function readmeRows(readme: string, name: string): OptionRow[] | null {
  const m = blockPattern(name).exec(readme);
  if (!m) return null;
  return m[2]!
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|\s*(option|---)/.test(l))
    .map((l) => {
      const cells = l
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim().replace(/\\\|/g, '|'));
      return { flags: (cells[0] ?? '').replace(/^`|`$/g, ''), default: cells[1] ?? '', choices: cells[2] ?? '', help: cells[3] ?? '' };
    });
}

/** Every difference between README's tables and the schemas, in words (empty: they agree). */
export function readmeDifferences(readme: string, commands: readonly CommandSpec[] = COMMANDS): string[] {
  const out: string[] = [];
  for (const spec of commands) {
    const rows = readmeRows(readme, spec.name);
    if (!rows) {
      out.push(`README has no option table for janus ${spec.name} (<!-- options: ${spec.name} -->)`);
      continue;
    }
    const want = optionFields(spec.options).map(optionRow);
    for (const w of want) {
      const r = rows.find((x) => x.flags === w.flags);
      if (!r) {
        out.push(`janus ${spec.name}: README's table lacks ${w.flags}`);
        continue;
      }
      if (r.default !== w.default) out.push(`janus ${spec.name} ${w.flags}: README's default is "${r.default}", the schema's is "${w.default}"`);
      if (r.choices !== w.choices) out.push(`janus ${spec.name} ${w.flags}: README's choices are "${r.choices}", the schema's are "${w.choices}"`);
      if (r.help !== w.help) out.push(`janus ${spec.name} ${w.flags}: README says "${r.help}", the schema's help is "${w.help}"`);
    }
    for (const r of rows) if (!want.some((w) => w.flags === r.flags)) out.push(`janus ${spec.name}: README's table has ${r.flags}, which the schemas do not`);
  }
  return out;
}

/** README with every command's table regenerated (a command without markers is left alone). */
function withTables(readme: string, commands: readonly CommandSpec[] = COMMANDS): string {
  let out = readme;
  for (const spec of commands) out = out.replace(blockPattern(spec.name), (_m, a: string, _t: string, b: string) => `${a}${optionsTable(spec)}\n${b}`);
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--write')) {
    const file = fileURLToPath(new URL('../../README.md', import.meta.url));
    await writeFileAtomic(file, withTables(readFileSync(file, 'utf8')));
    const left = readmeDifferences(readFileSync(file, 'utf8'));
    process.stdout.write(left.length ? `${left.join('\n')}\n` : 'README.md: option tables regenerated\n');
    process.exitCode = left.length ? 1 : 0;
  } else {
    for (const spec of COMMANDS) process.stdout.write(`<!-- options: ${spec.name} -->\n${optionsTable(spec)}\n<!-- /options -->\n\n`);
  }
}
