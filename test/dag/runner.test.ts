/**
 * The runner in-process with toy stages: skip when up to date, reruns only what changed and
 * its downstream, content changes under a restored mtime, failures (fail fast, --keep-going,
 * no partial output, persist kept), status reasons, per-item resume, locks.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { z } from 'zod';
import { loadPipeline } from '../../src/dag/load-pipeline.ts';
import { acquireRunLock } from '../../src/dag/lock.ts';
import { readRunManifest } from '../../src/dag/manifest.ts';
import type { Reporter, StageOutcome } from '../../src/dag/reporter.ts';
import { runPipeline, type RunOptions } from '../../src/dag/runner.ts';
import { describeReason } from '../../src/dag/stage-reason.ts';
import { runStageItems } from '../../src/dag/stage-executor.ts';
import { StageRegistry, type StageImplementation } from '../../src/dag/stage-kind.ts';
import { writeFileAtomic } from '../../src/util/atomic-write.ts';
import { UserError } from '../../src/util/errors.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { itemsToRunSeen, registerToyKinds, sessionEvents, toyCase, toyCopy, toyItems, toySession } from './toy-kinds.ts';

const test = suite('dag/runner');
const tmp = tempDir('runner');
test.after(() => tmp.cleanup());

const setup = (yaml: string) => toyCase(tmp.dir, yaml);

const CHAIN = `
name: chain
params: { count: 5, tag: t }
stages:
  - name: gen
    kind: toy-items
    params: { count: "\${params.count}", tag: "\${params.tag}" }
    inputs: { seed: SEED }
    outputs: { dir: items, index: items.txt }
  - name: join
    kind: toy-join
    inputs: { dir: "@gen.dir" }
    outputs: { out: joined.txt }
  - name: copy
    kind: toy-copy
    params: { suffix: "!" }
    inputs: { src: "@join.out" }
    outputs: { dst: copy.txt }
  - name: side
    kind: toy-copy
    inputs: { src: SEED }
    outputs: { dst: side.txt }
`;

async function run(file: string, workdir: string, opts: Partial<RunOptions> & { sets?: string[]; registry?: StageRegistry } = {}) {
  const registry = opts.registry ?? registerToyKinds(new StageRegistry());
  const pipeline = await loadPipeline(file, registry, { sets: opts.sets });
  const r = await runPipeline(pipeline, { workdir, registry, ...opts });
  const state = Object.fromEntries(r.outcomes.map((o) => [o.name, o.state]));
  const reason = Object.fromEntries(r.outcomes.map((o) => [o.name, o.reason]));
  return { ...r, state, reason };
}

test('first run runs everything; a second run skips everything', async () => {
  const c = setup(CHAIN);
  const a = await run(c.file, c.workdir);
  assert.ok(a.ok);
  assert.equal(a.state, { gen: 'ran', join: 'ran', copy: 'ran', side: 'ran' });
  assert.match(readFileSync(join(c.workdir, 'copy.txt'), 'utf8'), /^5 files [0-9a-f]{64}\n!$/);
  assert.is(readdirSync(join(c.workdir, 'items')).length, 5);
  assert.equal(readRunManifest(c.workdir).meta, {}, 'no backend given: none recorded');
  const b = await run(c.file, c.workdir, { backend: { choice: 'cpu', source: '--backend' } });
  assert.equal(b.state, { gen: 'up-to-date', join: 'up-to-date', copy: 'up-to-date', side: 'up-to-date' });
  const manifest = readRunManifest(c.workdir); // validated
  assert.equal(manifest.meta, { backend: 'cpu' }, 'the backend passed once is recorded in the manifest');
  assert.is(manifest.pipeline.name, 'chain');
  assert.is(manifest.stages.length, 4);
  assert.ok(manifest.provenance.packages['p-queue']);
  assert.ok(existsSync(join(c.workdir, '.janus/logs/gen.log')));
});

test('a param change reruns only that stage and its downstream', async () => {
  const c = setup(CHAIN);
  await run(c.file, c.workdir);
  const r = await run(c.file, c.workdir, { sets: ['tag=u'] });
  assert.equal(r.state, { gen: 'ran', join: 'ran', copy: 'ran', side: 'up-to-date' });
  assert.match(r.reason.gen!, /params changed: tag "t" -> "u"/);
  // the reason as data, and the text made from it
  const gen = r.outcomes.find((o) => o.name === 'gen')!;
  assert.equal(gen.why, { kind: 'params-changed', changes: [{ key: 'tag', before: 't', after: 'u' }] });
  assert.is(gen.reason, describeReason(gen.why));
  assert.equal(r.outcomes.find((o) => o.name === 'join')!.why, { kind: 'input-changed', input: 'dir', path: join(c.workdir, 'items') });
  // a downstream-only param: only that stage
  const s = await run(c.file, c.workdir, { sets: ['tag=u', 'copy.suffix=?!'] });
  assert.equal(s.state, { gen: 'up-to-date', join: 'up-to-date', copy: 'ran', side: 'up-to-date' });
});

test('an upstream rerun with identical output leaves downstream up to date', async () => {
  const c = setup(CHAIN);
  await run(c.file, c.workdir);
  const r = await run(c.file, c.workdir, { force: ['gen'] });
  assert.equal(r.state, { gen: 'ran', join: 'up-to-date', copy: 'up-to-date', side: 'up-to-date' });
  assert.match(r.reason.gen!, /^forced/);
  assert.equal(r.outcomes.find((o) => o.name === 'gen')!.why, { kind: 'forced', also: null });
});

test('an input whose content changed but whose mtime did not is detected', async () => {
  const c = setup(CHAIN);
  const seed = join(c.dir, 'seed.txt');
  utimesSync(seed, 1_700_000_000, 1_700_000_000); // a whole second, so it can be put back exactly
  await run(c.file, c.workdir);
  const before = statSync(seed, { bigint: true });
  writeFileSync(seed, 'seed two\n'); // same size
  utimesSync(seed, 1_700_000_000, 1_700_000_000); // mtime put back
  const after = statSync(seed, { bigint: true });
  assert.is(after.mtimeNs, before.mtimeNs);
  assert.is(after.size, before.size);
  const r = await run(c.file, c.workdir);
  assert.equal(r.state, { gen: 'ran', join: 'ran', copy: 'ran', side: 'ran' });
  assert.match(r.reason.gen!, /input changed: seed/);
});

test('status reasons: missing output, output changed, code changed, never run, upstream will run', async () => {
  const c = setup(CHAIN);
  const dry0 = await run(c.file, c.workdir, { dryRun: true });
  assert.match(dry0.reason.gen!, /missing output: dir \(items\)/);
  assert.match(dry0.reason.join!, /upstream stage "gen" will run/);
  await run(c.file, c.workdir);
  writeFileSync(join(c.workdir, 'side.txt'), 'edited by hand');
  const dry1 = await run(c.file, c.workdir, { dryRun: true });
  assert.match(dry1.reason.side!, /output changed since it was made: dst \(side\.txt\)/);
  const registry = registerToyKinds(new StageRegistry()).register({ ...toyCopy, version: '2' });
  const dry2 = await run(c.file, c.workdir, { dryRun: true, registry });
  assert.match(dry2.reason.copy!, /code changed: toy-copy@1 -> toy-copy@2/);
  assert.equal(dry2.state.gen, 'up-to-date');
});

const FAILING = `
name: failing
stages:
  - { name: ok1, kind: toy-copy, inputs: { src: SEED }, outputs: { dst: ok1.txt } }
  - { name: bad, kind: toy-fail, params: { delayMs: 30 }, outputs: { out: bad.txt, ckpt: ckpt.txt }, persist: [ckpt] }
  - { name: after-bad, kind: toy-copy, inputs: { src: "@bad.out" }, outputs: { dst: after.txt } }
  - { name: slow, kind: toy-join, params: { delayMs: 300 }, inputs: { dir: "@gen.dir" }, outputs: { out: slow.txt } }
  - { name: gen, kind: toy-items, params: { count: 3 }, outputs: { dir: items, index: items.txt } }
`;

test('a kind whose implementation is load()ed imports it when a stage of it runs, not to plan, skip or report', async () => {
  const c = setup(`
name: lazy
stages:
  - name: copy
    kind: toy-lazy
    inputs: { src: SEED }
    outputs: { dst: copy.txt }
`);
  let loads = 0;
  const copy: StageImplementation = {
    async run(ctx) {
      await writeFileAtomic(ctx.outputs.dst!, readFileSync(ctx.inputs.src!, 'utf8'));
    },
  };
  const lazy = (impl: StageImplementation) =>
    registerToyKinds(new StageRegistry()).register({
      kind: 'toy-lazy',
      version: '1',
      params: z.object({}).strict(),
      inputs: ['src'],
      outputs: ['dst'],
      async load() {
        loads++;
        return impl;
      },
    });
  const dry = await run(c.file, c.workdir, { dryRun: true, registry: lazy(copy) });
  assert.equal([dry.state, loads], [{ copy: 'would-run' }, 0]);
  const first = await run(c.file, c.workdir, { registry: lazy(copy) });
  assert.equal([first.state, loads], [{ copy: 'ran' }, 1]);
  assert.is(readFileSync(join(c.workdir, 'copy.txt'), 'utf8'), 'seed one\n');
  const again = await run(c.file, c.workdir, { registry: lazy(copy) });
  const status = await run(c.file, c.workdir, { dryRun: true, registry: lazy(copy) });
  assert.equal([again.state, status.state, loads], [{ copy: 'up-to-date' }, { copy: 'up-to-date' }, 1]);
  // an implementation that cannot run fails its stage, naming the kind
  const broken = await run(c.file, c.workdir, { force: ['copy'], registry: lazy({}) });
  assert.is(broken.state.copy, 'failed');
  assert.match(broken.outcomes[0]!.error!, /stage kind "toy-lazy": its implementation has neither run\(\) nor items\(\) \+ runItem\(\)/);
  assert.throws(() => new StageRegistry().register({ kind: 'toy-empty', version: '1', params: z.object({}) }), /stage kind "toy-empty" needs load\(\), run\(\) or items\(\) \+ runItem\(\)/);
});

test('a failed stage leaves no partial output (persist outputs kept) and its downstream is skipped', async () => {
  const c = setup(FAILING);
  const r = await run(c.file, c.workdir, { keepGoing: true });
  assert.not.ok(r.ok);
  assert.is(r.state.bad, 'failed');
  assert.not.ok(existsSync(join(c.workdir, 'bad.txt')), 'the half-written output was removed');
  assert.is(readFileSync(join(c.workdir, 'ckpt.txt'), 'utf8'), 'checkpoint at step 10\n', 'the checkpoint persists');
  assert.is(r.state['after-bad'], 'skipped');
  assert.match(r.reason['after-bad']!, /upstream stage "bad" failed/);
  // --keep-going: everything not downstream of the failure ran
  assert.equal([r.state.ok1, r.state.gen, r.state.slow], ['ran', 'ran', 'ran']);
  const dry = await run(c.file, c.workdir, { dryRun: true });
  assert.match(dry.reason.bad!, /failed last time: toy stage failed on purpose/);
});

test('a stage never replaces an output path Janus did not make: it fails naming it, and the file is untouched', async () => {
  const c = setup(CHAIN);
  mkdirSync(join(c.workdir, 'items'), { recursive: true });
  writeFileSync(join(c.workdir, 'items', 'mine.txt'), 'the user\'s');
  const r = await run(c.file, c.workdir, { foreignFolder: { escape: '--force-folder', force: true } });
  assert.is(r.state.gen, 'failed');
  const o = r.outcomes.find((x) => x.name === 'gen')!;
  assert.match(o.error!, /stage "gen" would replace dir \(.*items\), which Janus did not make; nothing was touched/);
  assert.ok(o.userError);
  assert.is(readFileSync(join(c.workdir, 'items', 'mine.txt'), 'utf8'), 'the user\'s');
  // without the escape, a folder of the user's is refused before anything is written there
  const users = join(c.workdir, '..', 'users-folder');
  mkdirSync(users, { recursive: true });
  writeFileSync(join(users, 'notes.txt'), 'mine');
  const refused = await run(c.file, users, { foreignFolder: { escape: '--force-folder', force: false } }).catch((e: unknown) => e);
  assert.instance(refused, UserError);
  assert.match((refused as UserError).message, /the run folder ".*users-folder" already holds files Janus did not make \(notes\.txt\)/);
  assert.equal(readdirSync(users), ['notes.txt']);
});

test('a failed item keeps the finished ones: the next run (fault gone) resumes after them and does not redo them', async () => {
  const c = setup(`
name: flaky
stages:
  - { name: gen, kind: toy-items, params: { count: 6, failAt: 3, failWhile: fault.flag }, outputs: { dir: items, index: items.txt } }
`);
  mkdirSync(c.workdir, { recursive: true });
  writeFileSync(join(c.workdir, 'fault.flag'), 'the disk is full');
  const first = await run(c.file, c.workdir);
  assert.is(first.state.gen, 'failed');
  assert.equal(first.outcomes[0]!.items, { done: 3, total: 6, resumedFrom: 0 });
  assert.equal(readdirSync(join(c.workdir, 'items')).sort(), ['0000.txt', '0001.txt', '0002.txt'], 'finished items stay; no partial file of the failed one');
  const kept = statSync(join(c.workdir, 'items', '0001.txt')).mtimeMs;
  rmSync(join(c.workdir, 'fault.flag'));
  await sleep(20);
  const second = await run(c.file, c.workdir);
  assert.is(second.state.gen, 'ran');
  assert.equal(second.outcomes[0]!.items, { done: 6, total: 6, resumedFrom: 3 });
  assert.is(statSync(join(c.workdir, 'items', '0001.txt')).mtimeMs, kept, 'a finished item was redone');
  assert.is(readFileSync(join(c.workdir, 'items.txt'), 'utf8'), ['0000', '0001', '0002', '0003', '0004', '0005'].map((i) => `${i}.txt`).join('\n') + '\n');
  // a forced run starts over
  const forced = await run(c.file, c.workdir, { force: ['gen'] });
  assert.is(forced.outcomes[0]!.items!.resumedFrom, 0);
});

test('fail fast (the default) stops in-flight and pending stages', async () => {
  const c = setup(FAILING);
  const r = await run(c.file, c.workdir, { concurrency: { cpu: 4 } });
  assert.is(r.state.bad, 'failed');
  assert.ok(['interrupted', 'not-run', 'skipped'].includes(r.state.slow!), `slow was ${r.state.slow}`);
  assert.not.ok(existsSync(join(c.workdir, 'slow.txt')));
});

test('per-item resume: an interrupted stage keeps its finished items and the next run skips them', async () => {
  const c = setup(CHAIN.replace('count: 5', 'count: 12'));
  const ac = new AbortController();
  const seen: string[] = [];
  const reporter: Reporter = {
    stageStart: (name, _r, items) => seen.push(`start ${name} ${items?.done ?? '-'}/${items?.total ?? '-'}`),
    stageItems: (name, done) => {
      if (name === 'gen' && done === 5) ac.abort();
    },
    stageEnd: (o: StageOutcome) => seen.push(`end ${o.name} ${o.state}`),
    message: () => undefined,
  };
  const a = await run(c.file, c.workdir, { signal: ac.signal, reporter, concurrency: { cpu: 1 } });
  assert.ok(a.interrupted);
  assert.is(a.state.gen, 'interrupted');
  assert.is(readdirSync(join(c.workdir, 'items')).filter((f) => f.endsWith('.txt')).length, 5);
  const dry = await run(c.file, c.workdir, { dryRun: true });
  assert.match(dry.reason.gen!, /incomplete: a run started and did not finish \(5\/12 items done\)/);
  seen.length = 0;
  itemsToRunSeen.length = 0;
  const b = await run(c.file, c.workdir, { reporter });
  assert.ok(b.ok);
  // the resumed session is told the items it runs, in order: the seven not done (a stage may start the next one's work early)
  assert.equal(itemsToRunSeen, [Array.from({ length: 7 }, (_, i) => String(i + 5).padStart(4, '0'))]);
  assert.ok(seen.includes('start gen 5/12'), seen.join('; '));
  const gen = b.outcomes.find((o) => o.name === 'gen')!;
  assert.equal(gen.items, { done: 12, total: 12, resumedFrom: 5 });
  // and the result equals an uninterrupted run's
  const d = setup(CHAIN.replace('count: 5', 'count: 12'));
  await run(d.file, d.workdir);
  for (const f of ['joined.txt', 'copy.txt', 'items.txt']) assert.is(readFileSync(join(c.workdir, f), 'utf8'), readFileSync(join(d.workdir, f), 'utf8'), f);
});

test("a queue job's session (some items) is told only its own items, in order", async () => {
  const dir = join(tmp.dir, 'job-items');
  itemsToRunSeen.length = 0;
  const setup = { name: 'gen', params: { count: 6, delayMs: 0, tag: '' }, inputs: {}, outputs: { dir: join(dir, 'items'), index: join(dir, 'items.txt') }, workdir: dir, signal: new AbortController().signal, log: () => undefined, meta: {} };
  await runStageItems(toyItems as StageImplementation, setup, new Set(['0004', '0002']));
  assert.equal(itemsToRunSeen, [['0002', '0004']]);
  assert.equal(readdirSync(join(dir, 'items')).sort(), ['0002.txt', '0004.txt']);
});

const withSessionKind = () => registerToyKinds(new StageRegistry()).register(toySession);
const SESSION = (params: string) => `
name: lifecycle
stages:
  - name: life
    kind: toy-session
    params: ${params}
    outputs: { dir: life }
`;

test('open() and close() are each called once per run of a stage, and every call gets the session', async () => {
  const c = setup(SESSION('{ count: 3 }'));
  sessionEvents.length = 0;
  const a = await run(c.file, c.workdir, { registry: withSessionKind() });
  assert.ok(a.ok);
  const id = sessionEvents[0]!.split(' ')[1];
  assert.equal(sessionEvents, [`open ${id}`, `items ${id}`, `item 0000 ${id}`, `item 0001 ${id}`, `item 0002 ${id}`, `run ${id}`, `close ${id}`]);
  sessionEvents.length = 0;
  const b = await run(c.file, c.workdir, { registry: withSessionKind() });
  assert.is(b.state.life, 'up-to-date');
  assert.equal(sessionEvents, [], 'an up-to-date stage is not opened');
  await run(c.file, c.workdir, { registry: withSessionKind(), dryRun: true, force: ['life'] });
  assert.equal(sessionEvents, [], 'a dry run opens nothing');
});

test('close() is called when the stage fails', async () => {
  const c = setup(SESSION('{ count: 3, failAt: 1 }'));
  sessionEvents.length = 0;
  const r = await run(c.file, c.workdir, { registry: withSessionKind() });
  assert.is(r.state.life, 'failed');
  assert.match(r.outcomes[0]!.error!, /toy failure at item 0001/);
  const id = sessionEvents[0]!.split(' ')[1];
  assert.equal(sessionEvents, [`open ${id}`, `items ${id}`, `item 0000 ${id}`, `close ${id}`]);
});

test('close() is called when the run is interrupted, after the item in flight', async () => {
  const c = setup(SESSION('{ count: 6, delayMs: 30 }'));
  sessionEvents.length = 0;
  const ac = new AbortController();
  const reporter: Reporter = {
    stageStart() {},
    stageItems: (_name, done) => done === 2 && ac.abort(),
    stageEnd() {},
    message() {},
  };
  const r = await run(c.file, c.workdir, { registry: withSessionKind(), signal: ac.signal, reporter });
  assert.ok(r.interrupted);
  assert.is(r.state.life, 'interrupted');
  const id = sessionEvents[0]!.split(' ')[1];
  assert.equal(sessionEvents, [`open ${id}`, `items ${id}`, `item 0000 ${id}`, `item 0001 ${id}`, `close ${id}`]);
  // the next run opens a new session and does the rest
  sessionEvents.length = 0;
  const b = await run(c.file, c.workdir, { registry: withSessionKind() });
  assert.ok(b.ok);
  const next = sessionEvents[0]!.split(' ')[1];
  assert.is.not(next, id);
  assert.equal(sessionEvents, [`open ${next}`, `items ${next}`, ...['0002', '0003', '0004', '0005'].map((i) => `item ${i} ${next}`), `run ${next}`, `close ${next}`]);
});

test('a second run on the same folder is refused, naming the holder', async () => {
  const c = setup(CHAIN);
  const lock = acquireRunLock(c.workdir, 'janus run other.yaml');
  try {
    await run(c.file, c.workdir);
    assert.unreachable('should be refused');
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, new RegExp(`in use by pid ${process.pid} on ${hostname()} .*janus run other\\.yaml`));
  } finally {
    lock.release();
  }
  assert.ok((await run(c.file, c.workdir)).ok, 'runs once the lock is released');
});

test('a stale lock (its pid is dead) is cleared', async () => {
  const c = setup(CHAIN);
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const pid = Number(dead.stdout);
  mkdirSync(join(c.workdir, '.janus'), { recursive: true });
  writeFileSync(join(c.workdir, '.janus/lock'), JSON.stringify({ pid, host: hostname(), command: 'janus run crashed.yaml', since: '2026-01-01T00:00:00Z' }));
  const messages: string[] = [];
  const r = await run(c.file, c.workdir, { reporter: { stageStart() {}, stageItems() {}, stageEnd() {}, message: (m) => messages.push(m) } });
  assert.ok(r.ok);
  assert.match(messages.join('\n'), new RegExp(`cleared a stale lock left by pid ${pid}`));
  assert.not.ok(existsSync(join(c.workdir, '.janus/lock')), 'released after the run');
});

test('`only` (janus stage) refuses when upstream is not up to date, runs when it is', async () => {
  const c = setup(CHAIN);
  try {
    await run(c.file, c.workdir, { only: 'join' });
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /stage "join" reads the output of stage "gen", which is not up to date \(missing output/);
  }
  await run(c.file, c.workdir);
  const r = await run(c.file, c.workdir, { only: 'join', force: ['join'] });
  assert.equal(r.state, { join: 'ran' });
});

test('`until` runs the named stages and their upstream, nothing downstream', async () => {
  const c = setup(CHAIN);
  const r = await run(c.file, c.workdir, { until: ['join'] });
  assert.equal(r.state, { gen: 'ran', join: 'ran' });
  assert.not.ok(existsSync(join(c.workdir, 'copy.txt')));
  const all = await run(c.file, c.workdir);
  assert.equal(all.state, { gen: 'up-to-date', join: 'up-to-date', copy: 'ran', side: 'ran' });
  try {
    await run(c.file, c.workdir, { until: ['jion'] });
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /--until jion: no stage "jion"/);
  }
});

test('fan-out: a template over 200 items runs and re-runs as a no-op', async () => {
  const names = Array.from({ length: 200 }, (_, i) => `p${i}`);
  const c = setup(`
name: fan
params: { names: ${JSON.stringify(names)} }
stages:
  - name: copy-\${item}
    foreach: \${params.names}
    kind: toy-copy
    params: { suffix: "\${item}" }
    inputs: { src: SEED }
    outputs: { dst: "out/\${item}.txt" }
`);
  const a = await run(c.file, c.workdir);
  assert.is(a.outcomes.filter((o) => o.state === 'ran').length, 200);
  assert.is(readFileSync(join(c.workdir, 'out/p123.txt'), 'utf8'), 'seed one\np123');
  const b = await run(c.file, c.workdir);
  assert.is(b.outcomes.filter((o) => o.state === 'up-to-date').length, 200);
});

test.run();
