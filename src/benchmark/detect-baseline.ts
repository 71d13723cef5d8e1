/**
 * The benchmark's baseline detector: encoder latents of real and fake faces (re-cut from the
 * videos at one compression level with the source alignments; for fakes only the swapped
 * frames) through the encoder of a train-split pair's model (or --model), a logistic
 * regression trained on the train split, AUC and accuracy on the test
 * (and val) split. Written to `<dataset>/baseline.json`.
 *
 *   const r = await detectBaseline('runs/bench', { level: 'c23', facesPerVideo: 8 });
 *   r.test.auc
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DetectBaselineConfig, LEVELS, type SplitName } from '../config/benchmark.ts';
import { parseConfig } from '../config/parse.ts';
import { readAlignments } from '../face/alignments-file.ts';
import { recropFaces } from '../face/recrop.ts';
import { writeJsonAtomic } from '../util/atomic-write.ts';
import { checkpointCoverage, loadTrainedModel, type TrainedModel } from '../model/checkpoint.ts';
import { latentEncoder } from '../model/latents.ts';
import { UserError } from '../util/errors.ts';
import { readJsonFile } from '../util/read-json.ts';
import { accuracy, rocAuc, trainLogistic } from './classifier.ts';
import { paths, planFile } from './layout.ts';
import { readMetadata } from './metadata.ts';
import { readPlanModels, readPlanRecord } from './plan-files.ts';
import { readCompositeRecord } from '../swap/composite-record.ts';
import { spread } from '../swap/kept-faces.ts';

/** Level, faces per video and feature model; absent ones take DetectBaselineConfig's defaults. */
export type BaselineOptions = z.input<typeof DetectBaselineConfig>;

const BASELINE_SCHEMA = 'janus.baseline/1';

export const SplitScore = z
  .object({
    faces: z.number().int().min(0),
    real: z.number().int().min(0),
    fake: z.number().int().min(0),
    /** Null when no classifier was trained or the split lacks real or fake faces. */
    auc: z.number().min(0).max(1).nullable(),
    accuracy: z.number().min(0).max(1).nullable(),
  })
  .strict();
export type SplitScore = z.infer<typeof SplitScore>;

/** `baseline.json`. */
export const BaselineResult = z
  .object({
    schema: z.literal(BASELINE_SCHEMA),
    detector: z.string(),
    features: z.object({ model: z.string(), fingerprint: z.string(), dims: z.number().int().min(1), level: z.enum(LEVELS), facesPerVideo: z.number().int().min(1) }).strict(),
    train: SplitScore,
    val: SplitScore,
    test: SplitScore,
    note: z.string().nullable(),
  })
  .strict();
export type BaselineResult = z.infer<typeof BaselineResult>;

export const baselinePath = (dir: string) => join(dir, 'baseline.json');

export async function writeBaseline(dir: string, result: BaselineResult): Promise<void> {
  await writeJsonAtomic(baselinePath(dir), BaselineResult.parse(result));
}

/** A dataset's baseline.json, validated. */
export function readBaseline(dir: string): BaselineResult {
  return readJsonFile(baselinePath(dir), BaselineResult, { what: `${BASELINE_SCHEMA} file`, hint: `run janus detect-baseline ${dir} again to write it` });
}

/**
 * The encoder the features come from: --model, else the first model of a train-split pair
 * (trained on train identities only) that has a usable checkpoint.
 */
async function featureModel(dir: string, given?: string): Promise<{ modelDir: string; m: TrainedModel }> {
  if (given) return { modelDir: given, m: await loadTrainedModel(given) };
  if (!existsSync(planFile(dir, 'models'))) throw new UserError(`${dir} has no plan/models.json`, 'pass --model DIR (a trained model folder)');
  const weights = existsSync(planFile(dir, 'plan')) ? readPlanRecord(dir).config.weights : undefined;
  const root = weights ?? join(dir, paths.models);
  const models = readPlanModels(dir).sort((a, b) => Number(b.split === 'train') - Number(a.split === 'train'));
  const problems: string[] = [];
  for (const model of models) {
    try {
      return { modelDir: join(root, model.key), m: await loadTrainedModel(join(root, model.key)) };
    } catch (err) {
      problems.push(`${model.key}: ${(err as Error).message}`);
    }
  }
  throw new UserError(`no usable model in ${root} (${problems.join('; ') || 'none planned'})`, 'pass --model DIR (a trained model folder)');
}

export async function detectBaseline(dir: string, opts: BaselineOptions = {}): Promise<BaselineResult> {
  const metadata = readMetadata(dir);
  const { level, facesPerVideo: per, model } = parseConfig(DetectBaselineConfig, opts, 'detect-baseline options');
  const { modelDir, m } = await featureModel(dir, model);
  const enc = latentEncoder(m.ae, checkpointCoverage(m.state));
  const rows: Record<SplitName, { x: Float32Array[]; y: number[] }> = { train: { x: [], y: [] }, val: { x: [], y: [] }, test: { x: [], y: [] } };
  try {
    for (const [file, e] of Object.entries(metadata)) {
      const id = file.replace(/\.mp4$/, '');
      const source = e.label === 'REAL' ? id : e.original!.replace(/\.mp4$/, '');
      const doc = readAlignments(join(dir, paths.alignments(source)));
      let frames = doc.frames.filter((f) => f.faces.some((x) => x.kept)).map((f) => f.index);
      if (e.label === 'FAKE') {
        const swapped = new Set(readCompositeRecord(join(dir, paths.compositeStats(id))).swappedFrames);
        frames = frames.filter((f) => swapped.has(f));
      }
      const pick = new Set(spread(frames, per));
      const crops = [];
      for await (const c of recropFaces(join(dir, e.files[level]), doc, { frames: pick })) crops.push(c.image);
      for (const v of await enc.encode(crops)) {
        rows[e.split].x.push(v);
        rows[e.split].y.push(e.label === 'FAKE' ? 1 : 0);
      }
    }
  } finally {
    enc.dispose();
    m.ae.dispose();
  }
  const train = rows.train;
  const hasBoth = (r: { y: number[] }) => r.y.includes(0) && r.y.includes(1);
  let note: string | null = null;
  const clf = hasBoth(train) ? trainLogistic(train.x, train.y) : null;
  if (!clf) note = 'the train split lacks real or fake faces: no classifier trained';
  const score = (s: SplitName): SplitScore => {
    const r = rows[s];
    const scores = clf ? r.x.map((x) => clf.score(x)) : [];
    return { faces: r.y.length, real: r.y.filter((y) => y === 0).length, fake: r.y.filter((y) => y === 1).length, auc: clf ? rocAuc(scores, r.y) : null, accuracy: clf ? accuracy(scores, r.y) : null };
  };
  const result: BaselineResult = {
    schema: BASELINE_SCHEMA,
    detector: 'logistic regression on encoder latents (enc_latent), per face',
    features: { model: modelDir, fingerprint: m.fingerprint, dims: enc.dims, level, facesPerVideo: per },
    train: score('train'),
    val: score('val'),
    test: score('test'),
    note,
  };
  if (!note && !hasBoth(rows.test)) result.note = 'the test split lacks real or fake faces: no AUC';
  await writeBaseline(dir, result);
  return result;
}
