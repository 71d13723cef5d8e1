/**
 * The fault suite's kills: the swap pipeline and a mini benchmark, each run once uninterrupted
 * (the reference), then again in the same folder as a chain: SIGKILL at a fault point
 * (src/util/fault-point.ts, through JANUS_FAULT_KILL), rerun killed at the next point, and so on,
 * then a last rerun to the end. Per kill point it checks that the process died there; at the
 * end that every output is byte-identical to the reference (the same file list: no temp file
 * left) and that finished work was not redone: no stage log shows a start after its stage was
 * done, and every item output (detections, swapped faces, segments) the state recorded as
 * finished at a kill still has the same mtime and inode at the end.
 *
 * Compared byte for byte: everything but the records of the clock (the run manifest, the loss
 * and quality logs' seconds, a checkpoint's state.json and the MANIFEST.json that hashes it,
 * the report, which plots training minutes) and Janus's bookkeeping (.janus/).
 *
 *   const part = await runKills();   // { passed: kill points byte-identical, failures, lost }
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FAULT_POINTS, type FaultPointName } from '../../src/util/fault-point.ts';
import { makeSampleClip } from '../../src/samples/make-sample.ts';
import { ROOT, tempDir } from '../helpers/fixtures.ts';
import { filesUnder, treeDifferences, type FaultPart } from './lib.ts';

interface Chain {
  label: string;
  /** The command's arguments (after `janus`), the same for every run of the chain. */
  args: (folder: string) => string[];
  /** Kill points in the order the work reaches them: NAME@N dies the N-th time NAME is reached in that process. */
  kills: Array<`${FaultPointName}@${number}`>;
}

const SWAP_SETS = (dir: string) => ['--set', `a=${join(dir, 'a.mp4')}`, '--set', `b=${join(dir, 'b.mp4')}`, '--set', 'preset=tiny', '--set', 'iterations=6', '--set', 'train.saveEvery=2', '--set', 'batchSize=8', '--set', 'detector=tiny', '--set', 'size=128', '--set', 'segmentFrames=8', '--set', 'train.learnMask=true'];

/** The stage and item a per-item stage's output belongs to (detections, swapped faces, segments), in the swap pipeline's and the benchmark's layouts. */
function itemOf(rel: string): { stage: string; item: string } | null {
  let m = /^(?:work\/extract\/)?([^/]+)\/detections\/(\d+)\.json$/.exec(rel);
  if (m) return { stage: `extract-${m[1]}`, item: m[2]! };
  m = /^(?:work\/fakes\/([^/]+)\/)?swapped\/([^/]+)\.png$/.exec(rel);
  if (m) return { stage: m[1] ? `swap-${m[1]}` : 'swap', item: m[2]! };
  m = /^(?:work\/fakes\/([^/]+)\/)?segments\/(?:video-|mask-|comparison-)?(\d+)\.(?:mp4|json)$/.exec(rel);
  if (m) return { stage: m[1] ? `composite-${m[1]}` : 'composite', item: m[2]! };
  return null;
}

/** What the run folder's state records as finished: stages done, and items done of the others. */
function finishedWork(folder: string): { stages: Set<string>; items: Set<string> } {
  const file = join(folder, '.janus', 'state.db');
  if (!existsSync(file)) return { stages: new Set(), items: new Set() };
  const db = new Database(file, { readonly: true });
  try {
    const stages = new Set((db.prepare("SELECT name FROM stages WHERE status = 'done'").all() as Array<{ name: string }>).map((r) => r.name));
    const items = new Set((db.prepare('SELECT stage, item FROM items').all() as Array<{ stage: string; item: string }>).map((r) => `${r.stage}\t${r.item}`));
    return { stages, items };
  } finally {
    db.close();
  }
}

/** Every file and link under `dir`, with mtime and inode. */
function fileStats(dir: string): Map<string, { mtimeMs: number; ino: number }> {
  return new Map([...filesUnder(dir)].map(([rel, st]) => [rel, { mtimeMs: st.mtimeMs, ino: st.ino }]));
}

function runJanus(args: string[], kill?: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    if (kill) env.JANUS_FAULT_KILL = kill;
    else delete env.JANUS_FAULT_KILL;
    const child = spawn(process.execPath, [join(ROOT, 'src/cli/bin.js'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code, signal) => resolve({ code, signal, output }));
  });
}

const tail = (s: string) => s.trim().split('\n').slice(-6).join('\n    ');

/** Stage logs where a stage started again after it was done. */
function redoneStages(folder: string): string[] {
  const logs = join(folder, '.janus', 'logs');
  if (!existsSync(logs)) return [];
  const out: string[] = [];
  for (const f of readdirSync(logs).filter((x) => x.endsWith('.log'))) {
    const lines = readFileSync(join(logs, f), 'utf8').split('\n');
    const done = lines.findIndex((l) => / done in /.test(l));
    if (done >= 0 && lines.slice(done + 1).some((l) => / start: /.test(l))) out.push(f.replace(/\.log$/, ''));
  }
  return out;
}

async function runChain(c: Chain, dir: string, part: FaultPart, points: Set<string>, log: (s: string) => void): Promise<void> {
  const folder = join(dir, c.label);
  const reference = `${folder}.reference`;
  const ref = await runJanus(c.args(folder));
  if (ref.code !== 0) {
    part.failures.push(`${c.label}: the uninterrupted reference run failed (exit ${ref.code}):\n    ${tail(ref.output)}`);
    return;
  }
  renameSync(folder, reference); // the chain runs at the same path: absolute paths inside the outputs agree
  const items = new Map<string, { mtimeMs: number; ino: number }>();
  const reached = new Set<string>();
  const chainFailures: string[] = [];
  for (const kill of c.kills) {
    const t0 = Date.now();
    const r = await runJanus(c.args(folder), kill);
    if (r.signal !== 'SIGKILL') {
      chainFailures.push(`${c.label}: JANUS_FAULT_KILL=${kill}: expected the run to die there, it ended with exit ${r.code}:\n    ${tail(r.output)}`);
      continue;
    }
    reached.add(kill.split('@')[0]!);
    log(`  ${c.label}: killed at ${kill} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    // the item outputs the state records as finished (their stage done, or their item)
    const done = finishedWork(folder);
    for (const [rel, st] of fileStats(folder)) {
      const it = itemOf(rel);
      if (it && !items.has(rel) && (done.stages.has(it.stage) || done.items.has(`${it.stage}\t${it.item}`))) items.set(rel, st);
    }
  }
  const last = await runJanus(c.args(folder));
  if (last.code !== 0) {
    part.failures.push(`${c.label}: the rerun after the last kill failed (exit ${last.code}):\n    ${tail(last.output)}`);
    return;
  }
  // byte-identical outputs, the same file list and links
  const { problems, files } = treeDifferences(reference, folder);
  // finished work not redone
  for (const s of redoneStages(folder)) problems.push(`stage ${s}: started again after it was done`);
  const now = fileStats(folder);
  for (const [rel, st] of items) {
    const n = now.get(rel);
    if (!n || n.mtimeMs !== st.mtimeMs || n.ino !== st.ino) problems.push(`${rel}: an item finished before a kill was made again`);
  }
  if (problems.length) {
    part.failures.push(`${c.label}: after ${c.kills.length} kills and a rerun: ${problems.length} problems:\n    ${problems.slice(0, 12).join('\n    ')}`);
    return;
  }
  part.failures.push(...chainFailures);
  for (const p of reached) points.add(p);
  log(`  ${c.label}: ${c.kills.length - chainFailures.length} kills, outputs byte-identical (${files} files), ${items.size} item outputs kept`);
}

/** The swap pipeline and a mini benchmark, killed at every point of FAULT_POINTS they reach. */
export async function runKills(log: (s: string) => void = (s) => process.stdout.write(`${s}\n`)): Promise<FaultPart> {
  const tmp = tempDir('faults-kills');
  const part: FaultPart = { passed: 0, failures: [], lost: [] };
  const points = new Set<string>();
  try {
    const clips = join(tmp.dir, 'clips');
    for (const n of ['a', 'b'] as const) await makeSampleClip(n, join(clips, `${n}.mp4`), { seconds: 1, size: 256 });
    await runChain(
      {
        label: 'swap',
        args: (folder) => ['run', 'pipelines/swap.yaml', '--workdir', folder, ...SWAP_SETS(clips)],
        kills: ['dag.stage-started@1', 'extract.pass1@4', 'atomic.before-rename@3', 'dag.item-written@3', 'extract.pass2@5', 'dag.stage-written@1', 'dag.state-transaction@1', 'extract.pass1@10', 'train.step@3', 'train.checkpoint@1', 'train.best@1', 'swap.batch@2', 'composite.segment@2', 'composite.concat@1', 'metrics.scored@1', 'report.written@1'],
      },
      tmp.dir,
      part,
      points,
      log,
    );
    // the mini benchmark: four identities in two splits, two pairs, both directions
    const rows = ['video,identity'];
    for (const [n, who] of [['a', 'anna'], ['b', 'beth'], ['c', 'cara'], ['d', 'dana']] as const) {
      await makeSampleClip(n, join(clips, `bench-${n}.mp4`), { seconds: 0.4, size: 256 });
      rows.push(`${join(clips, `bench-${n}.mp4`)},${who}`);
    }
    writeFileSync(join(clips, 'bench.csv'), `${rows.join('\n')}\n`);
    await runChain(
      {
        label: 'benchmark',
        args: (folder) => ['benchmark', join(clips, 'bench.csv'), '--out', folder, '--preset', 'tiny', '--iterations', '4', '--size', '128', '--detector', 'tiny', '--splits', '0.5,0,0.5', '--seed', '3', '--max-target-distance', '2', '--min-identity-share', '0'],
        kills: ['benchmark.planned@1', 'gather.faces@3', 'ladder.rung@2', 'assemble.copied@1', 'assemble.metadata@1'],
      },
      tmp.dir,
      part,
      points,
      log,
    );
    part.passed = points.size;
    const missed = Object.keys(FAULT_POINTS).filter((p) => !points.has(p));
    if (missed.length) log(`  fault points no chain reached: ${missed.join(', ')}`);
  } finally {
    if (part.failures.length) log(`  (kept for a look: ${tmp.dir})`);
    else tmp.cleanup();
  }
  return part;
}
