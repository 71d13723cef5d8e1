/**
 * The DAG's own files read back validated: run-manifest.json (written by writeRunManifest,
 * damaged copies name the file and field) and the run lock (garbled JSON is a stale lock; JSON
 * that is not a lock is a UserError naming the file and field).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lockPath, readLock } from '../../src/dag/lock.ts';
import { readRunManifest, runManifestPath, writeRunManifest } from '../../src/dag/manifest.ts';
import type { Pipeline } from '../../src/dag/pipeline-schema.ts';
import { assertFileError, editedCopy, truncatedCopy } from '../helpers/corrupt.ts';
import { tempDir } from '../helpers/fixtures.ts';

const test = suite('dag/files');
const tmp = tempDir('dag-files');
test.after(() => tmp.cleanup());

const pipeline: Pipeline = { file: '/p/chain.yaml', name: 'chain', sourceHash: 'a'.repeat(64), params: { tag: 't' }, sets: ['tag=t'], stages: [] };

test('run-manifest.json: what the runner writes reads back; damaged copies name the file and field', async () => {
  const workdir = join(tmp.dir, 'run');
  await writeRunManifest({
    workdir,
    pipeline,
    outcomes: [
      { name: 'gen', state: 'ran', why: { kind: 'never-run' }, reason: 'no previous run', fingerprint: 'f'.repeat(64), seconds: 0.5, items: { done: 5, total: 5, resumedFrom: 0 }, outputs: { out: { path: 'items', hash: 'b'.repeat(64) } } },
      { name: 'copy', state: 'failed', why: { kind: 'input-changed', input: 'src', path: 'src' }, reason: 'input changed', error: 'boom', userError: true },
    ],
    meta: { backend: 'cpu' },
    started: new Date(Date.now() - 1000),
    command: 'janus run chain.yaml',
  });
  const m = readRunManifest(workdir);
  assert.equal([m.pipeline.name, m.stages.map((s) => s.state), m.summary.ran, m.summary.failed], ['chain', ['ran', 'failed'], 1, 1]);
  assert.ok(m.provenance.packages['zod']);
  const good = runManifestPath(workdir);
  const state = join(tmp.dir, 'state');
  const missing = join(tmp.dir, 'missing');
  const cut = join(tmp.dir, 'cut');
  editedCopy(good, runManifestPath(state), (d) => void (d.stages[1].state = 'exploded'));
  assertFileError(() => readRunManifest(state), runManifestPath(state), /is not a valid janus\.run-manifest\/1 file: stages\.1\.state: expected one of ran\|up-to-date\|would-run\|/);
  editedCopy(good, runManifestPath(missing), (d) => void delete d.provenance.git);
  assertFileError(() => readRunManifest(missing), runManifestPath(missing), /provenance\.git: missing \(expected an object\)/);
  truncatedCopy(good, runManifestPath(cut));
  assertFileError(() => readRunManifest(cut), runManifestPath(cut), /not valid JSON: it ends early/);
  assertFileError(() => readRunManifest(join(tmp.dir, 'none')), runManifestPath(join(tmp.dir, 'none')), /no such file/);
});

test('the run lock: a lock reads; none or garbled is null (stale); JSON that is not a lock names the field', () => {
  const workdir = join(tmp.dir, 'locked');
  mkdirSync(join(workdir, '.janus'), { recursive: true });
  const lock = { pid: process.pid, host: hostname(), command: 'janus run x.yaml', since: '2026-01-01T00:00:00Z' };
  assert.is(readLock(workdir), null, 'no lock');
  writeFileSync(lockPath(workdir), JSON.stringify(lock));
  assert.equal(readLock(workdir), lock);
  writeFileSync(lockPath(workdir), '{"pid": 12');
  assert.is(readLock(workdir), null, 'cut short by a crash mid-write: stale');
  writeFileSync(lockPath(workdir), JSON.stringify({ ...lock, pid: 'me' }));
  assertFileError(() => readLock(workdir), lockPath(workdir), /is not a valid run lock: pid: expected a number, got "me"/);
  writeFileSync(lockPath(workdir), JSON.stringify({ ...lock, host: undefined }));
  assertFileError(() => readLock(workdir), lockPath(workdir), /host: missing \(expected a string\)/);
});

test.run();
