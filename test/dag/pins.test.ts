/**
 * Pinned budgets (src/dag/pins.ts) with the real `train` kind, what a stage did in state.db
 * (an older state.db gains the column), and the environment differences verify names.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadPipeline } from '../../src/dag/load-pipeline.ts';
import { applyPins, describePins, pinnedParams } from '../../src/dag/pins.ts';
import { openStateStore } from '../../src/dag/state-store.ts';
import { stageRegistry } from '../../src/stages/registry.ts';
import { environmentDifferences, machineEnvironment } from '../../src/util/environment.ts';
import { UserError } from '../../src/util/errors.ts';
import { ROOT, tempDir } from '../helpers/fixtures.ts';

const test = suite('dag/pins');
const tmp = tempDir('pins');
test.after(() => tmp.cleanup());

const did = { iteration: 453, stoppedBy: 'time', saves: [237, 453], probes: [99, 187, 453], engine: { backend: 'wasm', threads: 2 } };

test('train: a minutes budget becomes the iteration it reached, checkpoints and probes the recorded iterations', () => {
  const kind = stageRegistry.get('train');
  const params = kind.params.parse({ preset: 'tiny', iterations: 100000, minutes: 9, targetLoss: 0.01 }) as Record<string, unknown>;
  const p = pinnedParams(kind, params, did);
  assert.is(p.params.iterations, 453);
  assert.is(p.params.minutes, undefined);
  assert.is(p.params.targetLoss, undefined);
  assert.equal(p.params.saveAt, [237, 453]);
  assert.equal(p.params.probeAt, [99, 187, 453]);
  assert.is(p.params.preset, 'tiny', 'the rest as recorded');
  assert.equal(Object.keys(p.params), Object.keys(kind.params.parse(p.params) as object), "the schema's key order");
  assert.match(describePins(p.pinned), /^iterations=453 minutes=default targetLoss=default stopAtQuality=default saveAt=\[237,453\] probeAt=\[99,187,453\]$/);
  assert.equal(pinnedParams(kind, params, null).pinned, {}, 'nothing recorded: nothing pinned');
  // params read back from state.db come with sorted keys; a stage writes its settings in the schema's order
  const sorted = Object.fromEntries(Object.entries(params).sort(([x], [y]) => (x < y ? -1 : 1)));
  assert.equal(Object.keys(pinnedParams(kind, sorted, null).params), Object.keys(params), "unpinned too: the schema's key order");
  assert.equal(pinnedParams(kind, params, { iteration: 'x' }).pinned, {}, 'a record that is not a count pins nothing');
  assert.equal(pinnedParams(stageRegistry.get('swap'), stageRegistry.get('swap').params.parse({}) as Record<string, unknown>, did).pinned, {}, 'a kind without pin()');
});

test('applyPins: the stages of the same names in a loaded pipeline; a manifest of another pipeline is refused', async () => {
  const pipeline = await loadPipeline(join(ROOT, 'pipelines/swap.yaml'), stageRegistry, { sets: ['minutes=9'] });
  const lines = applyPins(pipeline, new Map([['train', did]]), stageRegistry, 'm.json');
  assert.equal(lines, [`train: ${describePins(pinnedParams(stageRegistry.get('train'), { iterations: 1 }, did).pinned)}`]);
  const train = pipeline.stages.find((s) => s.name === 'train')!;
  assert.is(train.params.iterations, 453);
  assert.is(train.params.minutes, undefined);
  assert.throws(() => applyPins(pipeline, new Map([['nope', did]]), stageRegistry, 'm.json'), (e: unknown) => e instanceof UserError && /none of its stages \(nope\)/.test(e.message));
});

test('state.db keeps what a stage did; an older state.db gains the column', () => {
  const dir = join(tmp.dir, 'old');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'state.db');
  const old = new Database(file);
  old.exec(`CREATE TABLE stages (name TEXT PRIMARY KEY, status TEXT NOT NULL, fingerprint TEXT NOT NULL, kind TEXT NOT NULL,
    code_version TEXT NOT NULL, params TEXT NOT NULL, def_hash TEXT NOT NULL, inputs TEXT NOT NULL,
    outputs TEXT NOT NULL, started_at REAL NOT NULL, finished_at REAL, error TEXT);
    INSERT INTO stages VALUES ('a', 'done', 'f', 'k', '1', '{}', 'd', '{}', '{}', 1, 2, NULL);`);
  old.close();
  const store = openStateStore(file);
  try {
    assert.is(store.stage('a')!.did, null, 'an old row: nothing recorded');
    store.putStage({ ...store.stage('a')!, did });
    assert.equal(store.stage('a')!.did, did);
  } finally {
    store.close();
  }
  openStateStore(file).close(); // opened again: the column is there once
});

test('environment differences: the settings, packages and Janus named; equal environments none', () => {
  const env = machineEnvironment();
  assert.equal(environmentDifferences({ ...env, packages: { x: '1' } }, { ...env, packages: { x: '1' } }), []);
  const d = environmentDifferences({ ...env, janus: '0.1.0 abc', settings: { JANUS_WASM_THREADS: '2' }, packages: { x: '1' } }, { ...env, janus: '0.1.0 def', settings: { JANUS_WASM_THREADS: '1' }, packages: { x: '2' } });
  assert.equal(d, [
    { what: 'janus', recorded: '0.1.0 abc', now: '0.1.0 def' },
    { what: 'JANUS_WASM_THREADS', recorded: '2', now: '1' },
    { what: 'package x', recorded: '1', now: '2' },
  ]);
  assert.match(env.platform, /^[a-z0-9]+-[a-z0-9]+$/);
});

test.run();
