/**
 * Options generated from the schemas: flags, kinds, choices and defaults come from the zod
 * fields; values are read through zod with one message format naming the flag; a new field
 * with `cli` metadata is the one edit that puts an option in the CLI, its help and the README
 * check. In-process (commander, no child process).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { z } from 'zod';
import { BenchmarkOptions, ConvertOptions, ExtractOptions, RunOptions, TrainOptions, trainCommand } from '../../src/cli/commands.ts';
import { optionsTable, readmeDifferences } from '../../src/cli/readme-options.ts';
import { addSchemaOptions, optionFields, readSchemaOptions } from '../../src/cli/schema-options.ts';
import { TrainConfig } from '../../src/config/train.ts';
import { isUserError } from '../../src/util/errors.ts';
import { ROOT } from '../helpers/fixtures.ts';

const test = suite('schema-options');

/** Parse `argv` for a command built from `schema` the way main.ts does; the error's message, if any. */
function read<S extends z.ZodObject>(schema: S, argv: string[], name = 'train') {
  const cmd = new Command(name).exitOverride();
  addSchemaOptions(cmd, schema);
  cmd.parse(argv, { from: 'user' });
  return readSchemaOptions(cmd, schema, name);
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(isUserError(err), `a UserError, got ${String(err)}`);
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

const REQUIRED = ['--a', 'x', '--b', 'y', '--out', 'z'];

test('flags, kinds, choices and defaults come from the schema fields', () => {
  const f = Object.fromEntries(optionFields(TrainOptions).map((x) => [x.key, x]));
  assert.is(f.batchSize!.flags, '--batch-size <n>');
  assert.is(f.batchSize!.shownDefault, String(TrainConfig.parse({}).batchSize));
  assert.equal(f.preset!.choices, ['tiny', 'small', 'original', 'large128']);
  assert.is(f.dssim!.flags, '--no-dssim', 'a boolean that defaults to true is negated');
  assert.is(f.learnMask!.flags, '--learn-mask');
  assert.is(f.a!.required, true);
  assert.is(f.minutes!.required, false);
  assert.is(f.keep, undefined, 'a field without cli metadata is not an option');
  const run = Object.fromEntries(optionFields(RunOptions).map((x) => [x.key, x]));
  assert.is(run.set!.kind, 'list');
  assert.is(run.set!.help, 'override a pipeline param (key=value) or a stage param (stage.key=value); repeatable', 'an array field is repeatable, and its help says so');
  const [tag] = optionFields(z.object({ tag: z.array(z.string()).optional().meta({ cli: { help: 'a tag', value: 't' } }) }));
  assert.equal([tag!.kind, tag!.flags, tag!.help], ['list', '--tag <t>', 'a tag; repeatable']);
  assert.is(run.workdir!.shownDefault, 'runs/<pipeline name>');
  assert.is(run.backend!.env, 'JANUS_BACKEND');
  const bench = Object.fromEntries(optionFields(BenchmarkOptions).map((x) => [x.key, x]));
  assert.is(bench.splits!.shownDefault, '0.72,0.14,0.14');
  assert.is(bench.pairs!.choices, undefined, 'all|N has no fixed choices');
});

test('values are typed and defaults applied by zod; given lists what the command line set', () => {
  const { opts, given } = read(TrainOptions, [...REQUIRED, '--batch-size', '8', '--no-dssim', '--learn-mask', '--preset', 'tiny']);
  assert.is(opts.batchSize, 8);
  assert.is(opts.dssim, false);
  assert.is(opts.learnMask, true);
  assert.is(opts.preset, 'tiny');
  assert.is(opts.iterations, TrainConfig.parse({}).iterations);
  assert.is(opts.backend, undefined, 'absent: JANUS_BACKEND and then the default apply later');
  assert.equal([...given].sort(), ['a', 'b', 'batchSize', 'dssim', 'learnMask', 'out', 'preset']);
  const b = read(BenchmarkOptions, ['--out', 'o', '--pairs', '3', '--splits', '0.8,0.1,0.1', '--no-identity-gate'], 'benchmark');
  assert.is(b.opts.pairs, 3);
  assert.equal(b.opts.splits, { train: 0.8, val: 0.1, test: 0.1 });
  assert.is(b.opts.identityGate, false);
  assert.is(read(BenchmarkOptions, ['--out', 'o', '--pairs', 'all'], 'benchmark').opts.pairs, 'all');
  const r = read(RunOptions, ['--set', 'a=1', '--set', 'b=2', '--dry-run'], 'run');
  assert.equal(r.opts.set, ['a=1', 'b=2']);
  assert.is(r.opts.dryRun, true);
  assert.is(r.opts.keepGoing, false);
  const c = read(ConvertOptions, ['--alignments', 'a.json', '--model', 'm', '--out', 'o.mp4', '--no-side-by-side', '--erode', '0'], 'convert');
  assert.is(c.opts.sideBySide, false);
  assert.is(c.opts.erode, 0);
  assert.is(c.opts.crf, 18);
});

test('a bad value: one format naming the flag, what was expected and what arrived', () => {
  assert.is(errorOf(() => read(TrainOptions, [...REQUIRED, '--preset', 'huge'])), 'invalid --preset: expected preset to be one of tiny|small|original|large128, got "huge"');
  assert.is(errorOf(() => read(TrainOptions, [...REQUIRED, '--batch-size', 'x'])), 'invalid --batch-size: expected batchSize to be a number, got "x"');
  assert.is(errorOf(() => read(TrainOptions, [...REQUIRED, '--batch-size', '1.5'])), 'invalid --batch-size: expected batchSize to be an int, got 1.5');
  assert.is(errorOf(() => read(TrainOptions, [...REQUIRED, '--batch-size', '0'])), 'invalid --batch-size: expected batchSize to be >= 1, got 0');
  assert.is(errorOf(() => read(ExtractOptions, ['--out', 'o', '--size', '9000'], 'extract')), 'invalid --size: expected size to be <= 512, got 9000');
  assert.is(errorOf(() => read(TrainOptions, [...REQUIRED, '--backend', 'gpu2'])), 'invalid --backend: expected backend to be one of auto|tensorflow|webgpu|wasm|cpu, got "gpu2"');
  assert.match(errorOf(() => read(BenchmarkOptions, ['--out', 'o', '--splits', '1,2'], 'benchmark')), /expected --splits to be three numbers train,val,test/);
  assert.match(errorOf(() => read(BenchmarkOptions, ['--out', 'o', '--splits', '0.5,0.5,0.5'], 'benchmark')), /invalid --splits: .*train \+ val \+ test must be 1/);
  assert.is(errorOf(() => read(TrainOptions, ['--a', 'x', '--b', 'y'])), 'janus train needs --out');
});

test('a new schema field with cli metadata is the one edit: it becomes an option, shows in help, and the README check asks for it', () => {
  const extended = TrainOptions.extend({ dropoutRate: z.number().min(0).max(1).default(0.25).meta({ cli: { help: 'share of units dropped', value: 'x' } }) });
  const f = optionFields(extended).find((x) => x.key === 'dropoutRate');
  assert.ok(f);
  assert.is(f.flags, '--dropout-rate <x>');
  const cmd = new Command('train');
  addSchemaOptions(cmd, extended);
  assert.match(cmd.helpInformation(), /--dropout-rate <x>\s+share of units dropped \(default: 0\.25\)/);
  assert.is(read(extended, [...REQUIRED, '--dropout-rate', '0.5']).opts.dropoutRate, 0.5);
  assert.match(optionsTable({ ...trainCommand, options: extended }), /\| `--dropout-rate <x>` \| `0\.25` \|/);
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.equal(readmeDifferences(readme, [{ ...trainCommand, options: extended }]), ["janus train: README's table lacks --dropout-rate <x>"]);
});

test('the README check names a changed default, changed choices, changed help and an option the schemas lack', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.equal(readmeDifferences(readme), []);
  const changed = readme
    .replace('| `--batch-size <n>` | `16` |', '| `--batch-size <n>` | `8` |')
    .replace('| `--colour <method>` | `rct` | `none`, `rct`, `hist` |', '| `--colour <method>` | `rct` | `none`, `rct` |')
    .replace('| `--seed <n>` | `1` |', '| `--old-flag` |  |  | gone |\n| `--seed <n>` | `1` |')
    .replace('| run folder (state, logs, outputs); for status/stage/clean', '| the run folder (state, logs, outputs); for status/stage/clean');
  const diff = readmeDifferences(changed);
  assert.ok(diff.some((d) => d === 'janus train --batch-size <n>: README\'s default is "`8`", the schema\'s is "`16`"'), diff.join('\n'));
  assert.ok(diff.some((d) => d.startsWith('janus convert --colour <method>: README\'s choices are "`none`, `rct`"')), diff.join('\n'));
  assert.ok(diff.some((d) => d === "janus train: README's table has --old-flag, which the schemas do not"), diff.join('\n'));
  assert.ok(diff.some((d) => d.startsWith('janus run --workdir <dir>: README says "the run folder (state')), diff.join('\n'));
});

test.run();
