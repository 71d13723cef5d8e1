/**
 * `baseline.json`, what janus detect-baseline writes (detect-baseline.ts): the schema, writer and
 * reader, and its table as the dataset card shows it, between the card's baseline marks (the
 * assembly puts it back into a re-written card while the file still matches the dataset's
 * metadata.json).
 *
 *   readBaseline('runs/bench').table   // [{ detector: 'cnn', data: 'c23', trainedOn: 'c23', auc: 0.93, … }]
 *   baselineSection('runs/bench')      // the card's section, or null when there is no baseline.json
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { LEVELS } from '../config/benchmark.ts';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.ts';
import { sha256File } from '../util/hash.ts';
import { readJsonFile } from '../util/read-json.ts';
import { BASELINE_MARKS } from './dataset-card.ts';
import { metadataPath } from './metadata.ts';

export const BASELINE_SCHEMA = 'janus.baseline/2';

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

export const DETECTORS = ['latents', 'cnn'] as const;

/** One row of the baseline table: a detector on the test split of one kind of data. */
export const TableRow = SplitScore.extend({
  detector: z.enum(DETECTORS),
  /** A compression level, or a perturbation type (`mixed`: a mixture) of the perturbed copies. */
  data: z.string(),
  /** The level whose train split the detector learnt from. */
  trainedOn: z.enum(LEVELS),
}).strict();
export type TableRow = z.infer<typeof TableRow>;

/** `baseline.json`. */
export const BaselineResult = z
  .object({
    schema: z.literal(BASELINE_SCHEMA),
    detector: z.string(),
    features: z.object({ model: z.string(), fingerprint: z.string(), dims: z.number().int().min(1), level: z.enum(LEVELS), facesPerVideo: z.number().int().min(1) }).strict(),
    train: SplitScore,
    val: SplitScore,
    test: SplitScore,
    /** The CNN's description, or null when it was skipped. */
    cnn: z.object({ describe: z.string(), epochs: z.number().int().min(1), seed: z.number().int() }).strict().nullable(),
    table: z.array(TableRow),
    note: z.string().nullable(),
    /** sha256 of the metadata.json the detectors were trained and scored on (a re-assembled dataset's card shows the table only while it matches). */
    metadataSha256: z.string().regex(/^[0-9a-f]{64}$/),
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

const num = (v: number | null) => (v === null ? '-' : v.toFixed(3));

/** The baseline table as the card shows it (FaceForensics++'s: detector by data, AUC and accuracy on the test split). */
export function baselineTable(r: BaselineResult): string {
  const name = { latents: 'logistic regression on encoder latents', cnn: 'small CNN on face crops' } as const;
  const lines = r.table.map((x) => `| ${name[x.detector]} | ${LEVELS.includes(x.data as never) ? x.data : `perturbed: ${x.data}`} | ${x.trainedOn} | ${x.real} / ${x.fake} | ${num(x.auc)} | ${num(x.accuracy)} |`);
  return `Trained on the train split of each level (perturbed copies: scored by the detectors of ${r.features.level}); scored on the test split, per face (${r.features.facesPerVideo} per video; fakes: swapped frames). AUC and accuracy are null (-) where the test faces lack a class. From \`baseline.json\`:

| detector | test data | trained on | test faces real / fake | AUC | accuracy |
|---|---|---|---|---|---|
${lines.join('\n')}
${r.cnn ? `\nCNN: ${r.cnn.describe}.` : ''}${r.note ? `\nNote: ${r.note}.` : ''}`;
}

/**
 * The card's baseline section for a dataset just assembled: the table of its baseline.json while
 * that was made on this very metadata.json, else a note that it is of an earlier assembly (the
 * file is kept), else how to make one.
 */
export function baselineSection(dir: string): string | null {
  if (!existsSync(baselinePath(dir))) return null;
  try {
    const r = readBaseline(dir);
    if (r.metadataSha256 === sha256File(metadataPath(dir))) return baselineTable(r);
  } catch {
    // an older or damaged baseline.json: as stale
  }
  return '`baseline.json` here was computed on an earlier assembly of this dataset: run `npx janus detect-baseline <folder>` again for the table of this one.';
}

/** Put the table into the dataset card, between its marks (a card without them is left alone). */
export async function writeCardTable(dir: string, r: BaselineResult): Promise<void> {
  const card = join(dir, 'README.md');
  if (!existsSync(card)) return;
  const text = readFileSync(card, 'utf8');
  const [open, close] = BASELINE_MARKS;
  const a = text.indexOf(open);
  const b = text.indexOf(close);
  if (a < 0 || b < a) return;
  await writeFileAtomic(card, `${text.slice(0, a + open.length)}\n${baselineTable(r)}\n${text.slice(b)}`);
}
