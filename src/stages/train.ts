/**
 * Stage `train`: the shared-encoder autoencoder on two face sets, in the `gpu` resource class.
 * Its `model` output holds the checkpoints and is `persist`: a failed or interrupted run keeps
 * them, and the next run resumes from the newest good one. `trainFromConfig` is the whole
 * set-up (face sets, held-out faces, quality probe, pretrained start) that `janus train` shares.
 * Its spec (version, params, inputs, outputs) is in registry.ts; this file loads when the stage runs (or `janus train`).
 *
 *   - name: train
 *     kind: train
 *     resource: gpu
 *     params: { preset: tiny, iterations: 200, minutes: 5 }
 *     inputs: { a: "@extract-a.faces", b: "@extract-b.faces" }
 *     outputs: { model: model }
 *     persist: [model]
 */
import { join } from 'node:path';
import type { TrainConfig } from '../config/train.ts';
import { modelArchitecture } from '../config/model.ts';
import type { StageImplementation } from '../dag/stage-kind.ts';
import { loadFaceApi } from '../face/face-api.ts';
import { TrainingState } from '../model/checkpoint.ts';
import { pretrainedInit } from '../model/pretrained.ts';
import { tryReadJsonFile } from '../util/read-json.ts';
import { probeFromFiles } from '../swap/quality-probe.ts';
import { loadTrainingData } from '../train/training-data.ts';
import { stoppedByFailure, train, type TrainOptions, type TrainResult } from '../train/trainer.ts';
import { ensureEngine, engineUsed } from './engine.ts';

type P = TrainConfig;

export async function trainFromConfig(cfg: P, dirs: { a: string; b: string; out: string }, hooks: Pick<TrainOptions, 'signal' | 'log' | 'onIteration'>): Promise<TrainResult> {
  const log = hooks.log ?? (() => undefined);
  const arch = modelArchitecture(cfg.preset, cfg.upsample, cfg.learnMask);
  const data = await loadTrainingData(cfg, dirs.a, dirs.b, arch.inputSize, log);
  log(`training ${cfg.preset}/${cfg.upsample} on ${data.a.faces.length} + ${data.b.faces.length} faces (coverage ${cfg.coverage} of the ${data.crop.size}-px crop; ${data.heldOut.a.length} + ${data.heldOut.b.length} held out for the quality probe)`);
  const probe = cfg.qualityMinutes > 0 ? await probeFromFiles(await loadFaceApi(), data, { direction: cfg.qualityDirection, coverage: cfg.coverage, sample: cfg.qualitySample }) : null;
  if (cfg.qualityMinutes > 0 && !probe) log('quality probe off: too few faces to hold some out');
  if (cfg.init) log(`a new run starts from the pretrained model in ${cfg.init} (a resumed one from its own checkpoint)`);
  return train({
    ...cfg,
    a: data.a,
    b: data.b,
    arch,
    out: dirs.out,
    extractCoverage: data.crop.coverage,
    init: cfg.init ? await pretrainedInit(cfg.init, arch, cfg.coverage) : undefined,
    probe: probe ?? undefined,
    ...hooks,
  });
}

export const trainStage: StageImplementation<P, { result: TrainResult | null }> = {
  open: () => ({ result: null }),
  async run(ctx) {
    await ensureEngine(ctx.backend);
    const r = await trainFromConfig(ctx.params, { a: ctx.inputs.a!, b: ctx.inputs.b!, out: ctx.outputs.model! }, { signal: ctx.signal, log: ctx.log });
    if (stoppedByFailure(r.stoppedBy)) throw new Error(r.message);
    ctx.session.result = r;
  },
  /** How far the budget got and where the clock put checkpoints and probes: what registry.ts's `pin` turns into params. */
  did(ctx) {
    const r = ctx.session.result!;
    const state = r.checkpoint ? tryReadJsonFile(join(r.checkpoint, 'state.json'), TrainingState, { what: 'training state' }) : null;
    return {
      iteration: r.iteration,
      stoppedBy: r.stoppedBy,
      seed: ctx.params.seed,
      // the random stream's position after the last batch: the batch order's
      rng: state?.ok ? state.value.rng : null,
      saves: r.saves,
      probes: r.quality.map((q) => q.iteration),
      engine: engineUsed(),
    };
  },
};
