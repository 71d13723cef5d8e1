/**
 * Stage `swap`: the latent swap of every kept face of a video (encoder, then the other
 * identity's decoder), in batches, one PNG per face (per-face items: a killed run resumes at
 * the next face). Writes `swap.json` beside the faces: direction, checkpoint, model fingerprint
 * (found without loading the networks when an earlier run swapped every face).
 * Its spec (version, params, inputs, outputs) is in registry.ts; this file loads when the stage runs.
 *
 *   - name: swap
 *     kind: swap
 *     resource: gpu
 *     params: { direction: a-to-b }
 *     inputs: { alignments: "@extract-a.alignments", model: "@train.model" }
 *     outputs: { faces: swapped }
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SwapConfig } from '../config/swap.ts';
import type { StageContext, StageImplementation } from '../dag/stage-kind.ts';
import { readAlignments } from '../face/alignments-file.ts';
import { readImage, writeGrayPng, writeImage } from '../media/image.ts';
import { checkpointCoverage, findTrainedCheckpoint, loadTrainedModel, type TrainedModel } from '../model/checkpoint.ts';
import { keptFaces, type KeptFace } from '../swap/kept-faces.ts';
import { swapFacesWithMasks } from '../swap/latent-swap.ts';
import { syntheticPngText } from '../swap/synthetic.ts';
import type { GrayImage, RgbImage } from '../util/geometry.ts';
import { LEARNED_MASKS, writeSwapRecord } from '../swap/swap-record.ts';
import { ensureEngine, engineUsed } from './engine.ts';
import { faultPoint } from '../util/fault-point.ts';

type P = SwapConfig;

/** One run of the stage: the faces to swap, and the model once an item needed it. */
interface Session {
  faces: KeptFace[];
  position: Map<string, number>;
  model: TrainedModel | null;
  /** Swapped faces of the batch in hand (batches are fixed groups of positions, so a resumed run computes the same batches). */
  batch: { index: number; images: Map<string, RgbImage>; masks: Map<string, GrayImage> | null } | null;
}
type Ctx = StageContext<P, Session>;

async function model(ctx: Ctx): Promise<TrainedModel> {
  const s = ctx.session;
  if (!s.model) {
    await ensureEngine(ctx.backend);
    s.model = await loadTrainedModel(ctx.inputs.model!, ctx.params.checkpoint);
    ctx.log(`model ${s.model.dir} (iteration ${s.model.state.iteration}, ${s.model.state.arch.preset}); ${ctx.params.direction}`);
  }
  return s.model;
}

/** The swapped faces (and learned masks) of the batch holding `item`, computed once per batch. */
async function batchOf(ctx: Ctx, item: string): Promise<NonNullable<Session['batch']>> {
  const s = ctx.session;
  const index = Math.floor(s.position.get(item)! / ctx.params.batchSize);
  if (s.batch?.index !== index) {
    const m = await model(ctx);
    const group = s.faces.slice(index * ctx.params.batchSize, (index + 1) * ctx.params.batchSize);
    const crops = await Promise.all(group.map((f) => readImage(f.face)));
    const swapped = await swapFacesWithMasks(m.ae, crops, ctx.params.direction, { batchSize: ctx.params.batchSize, coverage: checkpointCoverage(m.state) });
    faultPoint('swap.batch');
    s.batch = { index, images: new Map(group.map((f, k) => [f.id, swapped.faces[k]!])), masks: swapped.masks ? new Map(group.map((f, k) => [f.id, swapped.masks![k]!])) : null };
  }
  return s.batch;
}

export const swapStage: StageImplementation<P, Session> = {
  open(ctx) {
    const faces = keptFaces(readAlignments(ctx.inputs.alignments!), ctx.inputs.alignments!);
    return { faces, position: new Map(faces.map((f, i) => [f.id, i])), model: null, batch: null };
  },
  close(ctx) {
    // finished, failed or stopped: free the model now, not at the end of the process
    ctx.session.model?.ae.dispose();
    ctx.session.model = null;
    ctx.session.batch = null;
  },
  items(ctx) {
    return ctx.session.faces.map((f) => f.id);
  },
  async runItem(ctx, item) {
    const batch = await batchOf(ctx, item);
    // the learned mask first: a face is done when its image exists
    const mask = batch.masks?.get(item);
    if (mask) await writeGrayPng(join(ctx.outputs.faces!, LEARNED_MASKS, `${item}.png`), mask);
    await writeImage(join(ctx.outputs.faces!, `${item}.png`), batch.images.get(item)!, { text: syntheticPngText('swapped-face', ctx.params.direction) });
  },
  async run(ctx) {
    const s = ctx.session;
    // the model the items used, or (every item done by an earlier run) the same checkpoint
    // found without building its networks: the model input is unchanged, or the stage would rerun
    const m = s.model ?? findTrainedCheckpoint(ctx.inputs.model!, ctx.params.checkpoint);
    const missing = s.faces.filter((f) => !existsSync(join(ctx.outputs.faces!, `${f.id}.png`)));
    if (missing.length) throw new Error(`${missing.length} swapped faces are missing (first ${missing[0]!.id})`);
    await writeSwapRecord(ctx.outputs.faces!, {
      schema: 'janus.swap/1',
      direction: ctx.params.direction,
      params: ctx.params,
      alignments: ctx.inputs.alignments!,
      faces: s.faces.length,
      model: { folder: ctx.inputs.model!, checkpoint: m.dir, iteration: m.state.iteration, arch: m.state.arch, fingerprint: m.fingerprint },
      learnedMasks: m.state.arch.learnMask ? LEARNED_MASKS : null,
    });
    ctx.log(`swapped ${s.faces.length} faces`);
  },
  did: () => ({ engine: engineUsed() }),
};
