/**
 * The plan files a benchmark writes under `<out>/plan/` and reads back (the baseline detector
 * finds the models there): `models.json`, one entry per model to train, and `plan.json`, the
 * manifest, settings, splits and pairs. One schema for the writer and the reader.
 *
 *   readPlanModels('out/bench')    // [{ key: 'alice__bob', a: 'alice', b: 'bob', split: 'train', seed: … }]
 *   readPlanRecord('out/bench').config.weights
 */
import { z } from 'zod';
import { BenchmarkConfig, SPLITS } from '../config/benchmark.ts';
import { readJsonFile } from '../util/read-json.ts';
import { planFile } from './layout.ts';

export const PlannedModel = z
  .object({
    /** a__b with a < b: decoder A learns a, decoder B learns b. */
    key: z.string(),
    a: z.string(),
    b: z.string(),
    split: z.enum(SPLITS),
    seed: z.number().int(),
  })
  .strict();
export type PlannedModel = z.infer<typeof PlannedModel>;

/** An ordered identity pair of a split (what src/benchmark/pairs.ts chooses). */
export const Pair = z
  .object({
    split: z.enum(SPLITS),
    source: z.string(),
    target: z.string(),
    /** File-name-safe key: source__target. */
    key: z.string(),
    seed: z.number().int(),
  })
  .strict();
export type Pair = z.infer<typeof Pair>;

export const PlanRecord = z
  .object({
    manifest: z.string(),
    config: BenchmarkConfig,
    splits: z.object({ train: z.array(z.string()), val: z.array(z.string()), test: z.array(z.string()) }).strict(),
    pairs: z.array(Pair),
  })
  .strict();
export type PlanRecord = z.infer<typeof PlanRecord>;

export const PlanModels = z.array(PlannedModel);

const kind = (what: string) => ({ what, hint: 'run janus benchmark again to write the plan, or pass --model DIR (a trained model folder)' });

export function readPlanModels(out: string): PlannedModel[] {
  return readJsonFile(planFile(out, 'models'), PlanModels, kind('benchmark plan (models.json)'));
}

export function readPlanRecord(out: string): PlanRecord {
  return readJsonFile(planFile(out, 'plan'), PlanRecord, kind('benchmark plan (plan.json)'));
}
