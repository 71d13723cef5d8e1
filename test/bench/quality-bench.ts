/**
 * `make bench-quality` (a benchmark, not a test): trains the sample pair (a, b) from scratch,
 * one row per recipe, and prints what each buys, measured on held-out faces by face-api's
 * recognition net (which no loss uses): identity share (swaps closer to B than to A), median
 * distance to B, Mask-SSIM, reconstruction SSIM, checkerboard energy (the output spectrum's
 * energy at the 2-px period of a stride-2 upscale), iterations, faces/s; rows marked `full`
 * also convert A's whole video and add its metrics.json numbers (all frames, flicker).
 * The quality curves (quality.jsonl per row) go to runs/bench-quality/quality.json.
 *
 *   npx tsx test/bench/quality-bench.ts                         # every row, 800 iterations each
 *   npx tsx test/bench/quality-bench.ts --rows old,default --iterations 400
 *   npx tsx test/bench/quality-bench.ts --rows small --minutes 30 --full
 *   npx tsx test/bench/quality-bench.ts --rows default --seed 2 --tag seed2
 *   npx tsx test/bench/quality-bench.ts --rows default --init weights/pretrained-tiny --tag init
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TrainConfig } from '../../src/config/train.ts';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { readImage } from '../../src/media/image.ts';
import { checkpointCoverage, loadTrainedModel } from '../../src/model/checkpoint.ts';
import { inputBatch } from '../../src/model/input.ts';
import { trainFromConfig } from '../../src/stages/train.ts';
import { checkerboardEnergy } from '../../src/swap/checkerboard.ts';
import { readQualityLog } from '../../src/train/quality-log.ts';
import { faceFiles } from '../../src/train/face-set.ts';
import { splitHoldout } from '../../src/train/training-data.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const WORK = join(ROOT, 'runs/bench-quality');
const JANUS = join(ROOT, 'src/cli/bin.js');

/** The recipe before issue 12 (the demo's: whole crop, plain MAE, constant 5e-4, warp throughout), then one change per row. */
const OLD = { coverage: 1, dssim: false, maskWeight: 0, eyeMouthWeight: 0, warmup: 0, decay: 'none', warpShare: 1, learnMask: false } as const;
const SCHEDULE = { warmup: 100, decay: 'cosine', warpShare: 0.8 } as const;
const ROWS: Record<string, { what: string; params: Record<string, unknown> }> = {
  old: { what: 'before: whole crop, MAE, constant rate, warp throughout', params: { ...OLD } },
  coverage: { what: '+ coverage 0.75 (the face, not the background)', params: { ...OLD, coverage: 0.75 } },
  mask: { what: '+ face-weighted loss (maskWeight 3)', params: { ...OLD, coverage: 0.75, maskWeight: 3 } },
  dssim: { what: '+ DSSIM', params: { ...OLD, coverage: 0.75, maskWeight: 3, dssim: true } },
  eyes: { what: '+ eyes and mouth x2', params: { ...OLD, coverage: 0.75, maskWeight: 3, dssim: true, eyeMouthWeight: 2 } },
  schedule: { what: 'the dssim row + schedule: warm-up 100, cosine decay, no warp for the last 20%', params: { learnMask: false, ...SCHEDULE } },
  scheduleMask: { what: 'the schedule row + learned mask', params: { ...SCHEDULE, learnMask: true } },
  learnMask: { what: 'the dssim row + learned mask', params: { learnMask: true } },
  default: { what: 'the defaults (the dssim row)', params: {} },
  upsampling2d: { what: 'defaults, upsampling2d + conv instead of transpose', params: { upsample: 'upsampling2d' } },
  pixelshuffle: { what: 'defaults, pixel shuffle instead of transpose', params: { upsample: 'pixelshuffle' } },
  small: { what: 'defaults, small preset', params: { preset: 'small' } },
  smallPixelshuffle: { what: 'defaults, small preset, pixel shuffle (the demo\'s decoders)', params: { preset: 'small', upsample: 'pixelshuffle' } },
};

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: 'old,coverage,mask,dssim,eyes,schedule,scheduleMask,learnMask,upsampling2d,pixelshuffle' },
    iterations: { type: 'string' },
    minutes: { type: 'string' },
    preset: { type: 'string', default: 'tiny' },
    full: { type: 'boolean', default: false },
    tag: { type: 'string', default: '' },
    seed: { type: 'string' },
    init: { type: 'string' },
  },
});
const rows = values.rows!.split(',');
for (const r of rows) if (!ROWS[r]) throw new Error(`unknown row "${r}": expected one of ${Object.keys(ROWS).join(', ')}`);
const iterations = values.iterations ? Number(values.iterations) : values.minutes ? 1_000_000 : 800;
const minutes = values.minutes ? Number(values.minutes) : undefined;
const seed = values.seed ? Number(values.seed) : undefined;
const init = values.init ? resolve(values.init) : undefined;

const sel = await selectBackend('auto');
mkdirSync(WORK, { recursive: true });
const extract = (id: 'a' | 'b') => {
  const out = join(WORK, `extract-${id}`);
  if (!existsSync(join(out, 'alignments.json'))) execFileSync(process.execPath, [JANUS, 'extract', join(ROOT, `samples/${id}.mp4`), '--out', out], { stdio: 'inherit' });
  return out;
};
const ea = extract('a');
const eb = extract('b');

/** Mean checkerboard energy of the model's swaps of held-out faces of A, at the model's size. */
async function checkerboard(model: string, heldOut: string[]): Promise<number> {
  const m = await loadTrainedModel(model);
  try {
    const s = m.state.arch.inputSize;
    const crops = await Promise.all(heldOut.slice(0, 24).map((f) => readImage(f)));
    const x = await inputBatch(crops, s, checkpointCoverage(m.state));
    const y = m.ae.reconstruct(x, 'b');
    const data = (await y.data()) as Float32Array;
    tf.dispose([x, y]);
    let sum = 0;
    for (let k = 0; k < crops.length; k++) sum += checkerboardEnergy(data.subarray(k * s * s * 3, (k + 1) * s * s * 3), s);
    return sum / crops.length;
  } finally {
    m.ae.dispose();
  }
}

const results: Record<string, unknown>[] = [];
const curves: Record<string, unknown> = {};
for (const row of rows) {
  const spec = ROWS[row]!;
  const name = `${row}${values.tag ? `-${values.tag}` : ''}`;
  const out = join(WORK, 'models', name);
  rmSync(out, { recursive: true, force: true });
  const cfg = TrainConfig.parse({ preset: values.preset, qualityMinutes: 1, ...spec.params, iterations, minutes, seed, init });
  const t0 = performance.now();
  const r = await trainFromConfig(cfg, { a: join(ea, 'faces'), b: join(eb, 'faces'), out }, { log: (l) => console.error(`[${name}] ${l}`) });
  const secs = (performance.now() - t0) / 1000;
  const q = readQualityLog(out);
  const last = q.at(-1)!;
  const heldOut = splitHoldout(faceFiles(join(ea, 'faces')), cfg.holdout).heldOut.map((f) => join(ea, 'faces', f));
  const row0: Record<string, unknown> = {
    row: name,
    what: spec.what,
    preset: cfg.preset,
    upsample: cfg.upsample,
    seed: cfg.seed,
    ...(init ? { init } : {}),
    iterations: r.iteration,
    minutes: +(secs / 60).toFixed(2),
    facesPerS: +r.timing.facesPerSecond.toFixed(1),
    identityShare: last.identityShare,
    medianToTarget: +last.medianToTarget.toFixed(3),
    medianToSource: +last.medianToSource.toFixed(3),
    maskSsim: +last.maskSsim.toFixed(3),
    reconstructionSsim: +last.reconstructionSsim.toFixed(3),
    checkerboard: +(await checkerboard(out, heldOut)).toExponential(2),
  };
  if (values.full) {
    const video = join(WORK, `${name}.mp4`);
    execFileSync(process.execPath, [JANUS, 'convert', join(ROOT, 'samples/a.mp4'), '--alignments', join(ea, 'alignments.json'), '--target', join(eb, 'alignments.json'), '--model', out, '--out', video], { stdio: 'inherit' });
    const m = JSON.parse(readFileSync(join(WORK, `${name}.metrics.json`), 'utf8'));
    row0.video = { identityShare: m.identity.swapped?.closerToTarget, medianToTarget: m.identity.swapped?.toTarget?.median, flicker: m.flicker };
  }
  results.push(row0);
  curves[name] = q;
  console.log(
    `${name.padEnd(14)} ${String(row0.iterations).padStart(6)} it ${String(row0.minutes).padStart(6)} min  share ${(last.identityShare * 100).toFixed(0).padStart(3)}%  to B ${row0.medianToTarget}  to A ${row0.medianToSource}  Mask-SSIM ${row0.maskSsim}  recon SSIM ${row0.reconstructionSsim}  checkerboard ${row0.checkerboard}  ${row0.facesPerS} faces/s  (${spec.what})`,
  );
  writeFileSync(join(WORK, `quality${values.tag ? `-${values.tag}` : ''}.json`), JSON.stringify({ backend: sel.backend, threads: sel.threads?.count, results, curves }, null, 1));
}
console.log(JSON.stringify({ bench: 'quality', backend: sel.backend, threads: sel.threads?.count, results }));
