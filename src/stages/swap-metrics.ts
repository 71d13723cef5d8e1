/**
 * Stage `swap-metrics`: metrics.json for a swap: face-recognition distances of the swapped
 * faces to the source and target identities (and of the originals, for scale), the model's
 * reconstruction PSNR/SSIM per identity, frames swapped and skipped, and, given the source
 * video and the composite's output and mask videos, the output's flicker against the source's
 * and its Mask-SSIM (Celeb-DF's measure, on `sample` swapped frames spread over the video).
 * Its spec (version, params, inputs, outputs) is in registry.ts; this file loads when the stage runs.
 *
 *   - name: metrics
 *     kind: swap-metrics
 *     resource: gpu
 *     inputs: { source: "@extract-a.alignments", target: "@extract-b.alignments", swapped: "@swap.faces",
 *               model: "@train.model", composite: "@composite.stats",
 *               video: samples/a.mp4, output: "@composite.video", mask: "@composite.mask" }
 *     outputs: { metrics: metrics.json }
 */
import { join } from 'node:path';
import type { MetricsConfig } from '../config/swap.ts';
import type { StageImplementation } from '../dag/stage-kind.ts';
import { readAlignments } from '../face/alignments-file.ts';
import { loadFaceApi } from '../face/face-api.ts';
import { fileDescriptors } from '../face/file-descriptors.ts';
import { keptFaces, spread } from '../swap/kept-faces.ts';
import { readCompositeRecord } from '../swap/composite-record.ts';
import { videoFlicker } from '../swap/flicker.ts';
import { videoMaskSsim } from '../swap/mask-ssim.ts';
import { centroid, checkpointReconstruction, identityDistances } from '../swap/metrics.ts';
import { METRICS_SCHEMA, writeMetrics, type SwapMetrics } from '../swap/metrics-file.ts';
import { readSwapRecord } from '../swap/swap-record.ts';
import { ensureEngine, engineUsed } from './engine.ts';
import { faceApiModelHashes } from '../face/package-files.ts';
import { faultPoint } from '../util/fault-point.ts';

type P = MetricsConfig;

export const swapMetricsStage: StageImplementation<P> = {
  async run(ctx) {
    await ensureEngine(ctx.backend);
    const fa = await loadFaceApi();
    const swap = readSwapRecord(ctx.inputs.swapped!);
    const [sourceId, targetId] = swap.direction === 'a-to-b' ? (['a', 'b'] as const) : (['b', 'a'] as const);
    const sourceDoc = readAlignments(ctx.inputs.source!);
    const source = spread(keptFaces(sourceDoc, ctx.inputs.source!), ctx.params.sample);
    const targetDoc = ctx.inputs.target ? readAlignments(ctx.inputs.target) : null;
    const target = targetDoc ? spread(keptFaces(targetDoc, ctx.inputs.target!), ctx.params.sample) : [];
    ctx.log(`descriptors of ${source.length} source, ${target.length} target and ${source.length} swapped faces`);
    const dSource = await fileDescriptors(fa, source.map((f) => f.face), sourceDoc.settings);
    const dTarget = targetDoc ? await fileDescriptors(fa, target.map((f) => f.face), targetDoc.settings) : [];
    const dSwapped = await fileDescriptors(fa, source.map((f) => join(ctx.inputs.swapped!, `${f.id}.png`)), sourceDoc.settings);
    const cSource = dSource.length ? centroid(dSource) : null;
    const cTarget = dTarget.length ? centroid(dTarget) : null;
    // the very checkpoint the swap used (the model folder may have moved on since)
    const { model, scores: recon } = await checkpointReconstruction(swap.model.checkpoint, sourceId === 'a' ? { a: source, b: target } : { a: target, b: source });
    const composite = readCompositeRecord(ctx.inputs.composite!);
    const swapped = cSource ? identityDistances(dSwapped, cSource, cTarget) : null;
    const { video, output, mask } = ctx.inputs;
    const flicker = video && output && mask ? await videoFlicker(video, output, mask) : null;
    const maskSsim = video && output && mask ? await videoMaskSsim(video, output, mask, spread(composite.swappedFrames, ctx.params.sample)) : null;
    const metrics: SwapMetrics = {
      schema: METRICS_SCHEMA,
      direction: swap.direction,
      identities: { source: sourceId, target: targetId },
      model,
      identity: {
        what: 'face-api 128-d descriptor distance to each identity\'s mean descriptor; below 0.6 reads as the same person',
        threshold: 0.6,
        swapped,
        originals: cSource ? identityDistances(dSource, cSource, cTarget) : null,
        identityChanged: swapped?.closerToTarget == null ? null : swapped.closerToTarget >= 0.5,
      },
      reconstruction: { what: 'each identity through the encoder and its own decoder, at the model input size (the coverage square the model sees)', ...recon },
      frames: composite.frames,
      sample: { source: source.length, target: target.length },
      flicker: flicker && {
        what: 'mean frame-to-frame change (0-255) inside the replaced-pixel mask, output and source; ratio 1 = as stable as the source',
        ...flicker,
      },
      maskSsim: maskSsim && {
        what: `Celeb-DF's Mask-SSIM (Li et al. 2020): SSIM of each output frame against its source frame inside the replaced-pixel mask (7x7 windows wholly inside it, weighted by its blend weight, per RGB channel: model/ssim.ts), the mean over ${maskSsim.frames} swapped frames spread over the video (at most ${ctx.params.sample}); 1 = unchanged`,
        ...maskSsim,
      },
    };
    faultPoint('metrics.scored');
    await writeMetrics(ctx.outputs.metrics!, metrics);
    ctx.log(`swapped faces: distance to source ${swapped?.toSource?.mean.toFixed(3)}, to target ${swapped?.toTarget?.mean.toFixed(3) ?? 'n/a'}; ${composite.frames.swapped}/${composite.frames.total} frames swapped; flicker ${flicker?.ratio?.toFixed(2) ?? 'n/a'}x the source's; Mask-SSIM ${maskSsim?.mean.toFixed(3) ?? 'n/a'}`);
  },
  did: () => ({ models: faceApiModelHashes(), engine: engineUsed() }),
};
