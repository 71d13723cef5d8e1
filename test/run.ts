/**
 * Runs the `*.test.ts` files under test/ with uvu and ends with the line CI reads:
 * `N passed, N failed` (counting every test across files; a suite whose hook threw counts all
 * its tests that did not pass as failed). Exit code 1 on any failure.
 *
 * Two tiers: `unit` (fast, in-process checks of one module; the whole tier well under two
 * minutes) runs first, then `e2e` (the CLI, ffmpeg, training, SwiftShader). A file is e2e when its
 * header comment holds a line `@tier e2e`; every other file is unit.
 *
 *   npx tsx test/run.ts                    # the unit tier, then the e2e tier
 *   npx tsx test/run.ts --tier unit        # the unit tier alone (make test-unit)
 *   npx tsx test/run.ts media/decode       # files whose path contains a filter (both tiers)
 *   npx tsx test/run.ts --jobs 2           # two processes: the unit files split in two, then e2e files two at a time (slowest first)
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

type SuiteRunner = () => Promise<[true | string, number, number, number]>;
type Group = [string | null, ...SuiteRunner[]];
const g = globalThis as unknown as { UVU_DEFER: number; UVU_QUEUE: Group[]; UVU_INDEX: number };

const TIERS = ['unit', 'e2e'] as const;
type Tier = (typeof TIERS)[number];
const root = resolve(import.meta.dirname);

interface Args {
  tier: Tier | null;
  jobs: number;
  /** Run exactly these files in this process and print one JSON result line (a --jobs child). */
  child: boolean;
  filters: string[];
}

function parseArgs(argv: string[]): Args {
  const a: Args = { tier: null, jobs: 1, child: false, filters: [] };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    if (x === '--tier') {
      const t = argv[++i];
      if (!TIERS.includes(t as Tier)) throw new Error(`expected --tier to be one of ${TIERS.join('|')}, got ${JSON.stringify(t)}`);
      a.tier = t as Tier;
    } else if (x === '--jobs') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) throw new Error(`expected --jobs to be a whole number from 1, got ${JSON.stringify(argv[i])}`);
      a.jobs = n;
    } else if (x === '--child') a.child = true;
    else a.filters.push(x);
  }
  return a;
}

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** A file's tier: `@tier e2e` in its header comment (before the first import), else unit. */
function tierOf(file: string): Tier {
  const head = readFileSync(file, 'utf8').split(/^import /m)[0]!;
  return /@tier e2e\b/.test(head) ? 'e2e' : 'unit';
}

interface Result {
  passed: number;
  failed: number;
  skipped: number;
  failures: string[];
  timings: Array<[string, number]>;
}

const empty = (): Result => ({ passed: 0, failed: 0, skipped: 0, failures: [], timings: [] });
function add(into: Result, r: Result): void {
  into.passed += r.passed;
  into.failed += r.failed;
  into.skipped += r.skipped;
  into.failures.push(...r.failures);
  into.timings.push(...r.timings);
}

/** Import the files (their suites queue up in uvu) and run them in this process. */
async function runHere(files: string[], say: (line: string) => void): Promise<Result> {
  const r = empty();
  g.UVU_DEFER = 1;
  g.UVU_QUEUE = [];
  await import('uvu');
  for (const [i, file] of files.entries()) {
    const name = relative(root, file);
    g.UVU_QUEUE.push([name]);
    g.UVU_INDEX = i;
    try {
      await import(pathToFileURL(file).href);
    } catch (err) {
      r.failed++;
      r.failures.push(`${name}: failed to load: ${(err as Error).stack ?? String(err)}`);
    }
  }
  for (const group of g.UVU_QUEUE) {
    const name = group.shift() as string;
    say(`${name}\n`);
    const t0 = Date.now();
    for (const run of group as SuiteRunner[]) {
      const [errs, ran, skip, total] = await run();
      r.passed += ran;
      r.skipped += skip;
      const bad = Math.max(0, total - ran);
      r.failed += bad;
      if (errs !== true) r.failures.push(errs);
      else if (bad > 0) r.failures.push(`${name}: ${bad} test(s) did not run (a hook threw)`);
    }
    const secs = (Date.now() - t0) / 1000;
    r.timings.push([name, secs]);
    say(`  ${name} ${secs.toFixed(1)}s\n`);
  }
  g.UVU_QUEUE = [];
  return r;
}

const RESULT_MARK = '@@janus-test-result ';

/**
 * Seconds each file took in `make test` (two processes, 2026-12-01; files under 2 s left out:
 * they count as 0.3 s, about the mean of the rest). `--jobs` uses them twice: the unit tier is
 * split into groups of about equal time, and the e2e files start longest first (a long file
 * started last would run alone at the end while the other core idles). Only an order and a
 * balance: a file missing here runs all the same.
 */
const SECONDS: Record<string, number> = {
  'verify/verify': 181,
  'benchmark/plan-scale': 3,
  'benchmark/draws': 1,
  'queue/queue-faults': 267,
  'queue/queue-benchmark': 125,
  'queue/queue-netns': 94,
  'queue/queue': 120,
  'queue/redis': 25,
  'benchmark/benchmark': 150,
  'engine/webgpu': 74,
  'stages/swap-pipeline': 71,
  'train/trainer': 50,
  'face/extract-cli': 48,
  'face/two-people': 43,
  'face/face-follower': 15,
  'train/train-cli': 41,
  'face/detect-align': 31,
  'benchmark/cnn-detector': 32,
  'face/identity-mask': 29,
  'cli/cli': 29,
  'dag/crash': 28,
  'model/autoencoder': 27,
  'cli/lock-signals': 26,
  'media/bad-input': 25,
  'media/probe-decode-encode': 23,
  'media/ffmpeg-threads': 23,
  'media/compress': 22,
  'face/smoothing': 21,
  'engine/wasm-threads': 21,
  'cli/foreign-folder': 19,
  'dag/environment': 17,
  'samples/make-sample': 16,
  'media/perturb': 15,
  'swap/mask-ssim': 14,
  'benchmark/container-leak': 30,
  'swap/quality-probe': 13,
  'engine/wasm-kernels-random': 12,
  'engine/wasm-activation': 2.0,
  'engine/wasm-simd': 3.0,
  'engine/wasm-dense': 2.0,
  'swap/composite': 17,
  'media/pixel-kernels': 6,
  'util/json-buffer': 0.5,
  'swap/metrics': 6.6,
  'model/checkpoint': 5.6,
  'dag/lock': 5.2,
  'media/vfr-sync': 5.0,
  'dag/runner': 5.0,
  'model/lean-adam': 4.3,
  'engine/train-step': 4.0,
  'stages/train-stage': 3.6,
  'stages/samples-pipeline': 3.1,
  'train/previews': 2.1,
};
const seconds = (f: string) => SECONDS[relative(root, f).replace(/\.test\.ts$/, '')] ?? 0.3;
/** Longest first (the rest in their order). */
const longestFirst = (files: string[]) => [...files].sort((a, b) => seconds(b) - seconds(a));

/** The unit files in `jobs` groups of about equal time (SECONDS), one process each. */
function groups(files: string[], jobs: number): string[][] {
  const out: Array<{ files: string[]; seconds: number }> = Array.from({ length: jobs }, () => ({ files: [], seconds: 0 }));
  for (const f of longestFirst(files)) {
    const g = out.reduce((min, x) => (x.seconds < min.seconds ? x : min));
    g.files.push(f);
    g.seconds += seconds(f);
  }
  return out.filter((g) => g.files.length).map((g) => g.files.sort());
}

/** Each group of files in a child process of its own, `jobs` at a time; their output is printed whole as each ends. */
async function runInChildren(batches: string[][], jobs: number): Promise<Result> {
  const r = empty();
  const queue = [...batches];
  // the children share the cores: each wasm backend gets its share of them (unless JANUS_WASM_THREADS
  // says otherwise), not all of them; oversubscribed, XNNPACK's pool spins and about doubles the CPU time
  const threads = String(Math.max(1, Math.floor(availableParallelism() / jobs)));
  const env = { ...process.env, JANUS_WASM_THREADS: process.env.JANUS_WASM_THREADS || threads };
  const one = (batch: string[]) =>
    new Promise<void>((done) => {
      const child = spawn(process.execPath, [...process.execArgv, import.meta.filename, '--child', ...batch.map((f) => relative(root, f))], { stdio: ['ignore', 'pipe', 'pipe'], env });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('close', (code, signal) => {
        const line = out.split('\n').find((l) => l.startsWith(RESULT_MARK));
        process.stdout.write(out.split('\n').filter((l) => !l.startsWith(RESULT_MARK)).join('\n'));
        if (line) add(r, JSON.parse(line.slice(RESULT_MARK.length)) as Result);
        else {
          r.failed++;
          r.failures.push(`${batch.map((f) => relative(root, f)).join(', ')}: its process ended (${signal ?? code}) without a result`);
        }
        done();
      });
    });
  await Promise.all(
    Array.from({ length: Math.min(jobs, batches.length) }, async () => {
      for (let b = queue.shift(); b; b = queue.shift()) await one(b);
    }),
  );
  return r;
}

const args = parseArgs(process.argv.slice(2));
const say = (line: string) => process.stdout.write(line);

if (args.child) {
  const files = args.filters.map((f) => resolve(root, f));
  const r = await runHere(files, say);
  process.stdout.write(`${RESULT_MARK}${JSON.stringify(r)}\n`);
  process.exit(0); // a file's stray handles (servers, timers) must not keep its process alive
}

const started = Date.now();
const all = findTests(root).filter((f) => args.filters.length === 0 || args.filters.some((x) => relative(root, f).includes(x)));
const total = empty();
const tierSummary: string[] = [];
let filesRun = 0;
for (const tier of TIERS) {
  if (args.tier && args.tier !== tier) continue;
  const files = all.filter((f) => tierOf(f) === tier);
  if (!files.length) continue;
  filesRun += files.length;
  const t0 = Date.now();
  say(`\n== ${tier} tier: ${files.length} files ==\n`);
  // --jobs: e2e files one process each, slowest first; the unit files in one process per job
  const r = args.jobs === 1 ? await runHere(files, say) : tier === 'e2e' ? await runInChildren(longestFirst(files).map((f) => [f]), args.jobs) : await runInChildren(groups(files, args.jobs), args.jobs);
  add(total, r);
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  tierSummary.push(`${tier}: ${r.passed} passed, ${r.failed} failed in ${secs}s`);
  say(`== ${tier} tier: ${r.passed} passed, ${r.failed} failed in ${secs}s ==\n`);
}

// a filter or tier that selects no file is a mistake, not a pass
if (filesRun === 0) say(`no test file matches${args.tier ? ` in the ${args.tier} tier` : ''}${args.filters.length ? ` the filter ${args.filters.join(' ')}` : ''}\n`);
const secs = ((Date.now() - started) / 1000).toFixed(1);
if (total.failures.length) say(`\nFailures:\n${total.failures.join('\n')}\n`);
const slowest = [...total.timings].sort((a, b) => b[1] - a[1]).slice(0, 5);
say(`\n${filesRun} files, ${secs}s (${tierSummary.join('; ')}; slowest: ${slowest.map(([n, t]) => `${n} ${t.toFixed(0)}s`).join(', ')})\n`);
say(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}\n`);
process.exitCode = total.failed > 0 || filesRun === 0 ? 1 : 0;
