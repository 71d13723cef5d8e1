/**
 * Stage `swap-report`: the one-page report.html of a swap run (metrics, loss curve, previews,
 * face pairs, links to the videos).
 * Its spec (version, params, inputs, outputs) is in registry.ts; this file loads when the stage runs.
 *
 *   - name: report
 *     kind: swap-report
 *     inputs: { metrics: "@metrics.metrics", model: "@train.model", alignments: "@extract-a.alignments", target: "@extract-b.alignments",
 *               swapped: "@swap.faces", video: "@composite.video", mask: "@composite.mask",
 *               comparison: "@composite.comparison", provenance: "@composite.provenance" }
 *     outputs: { report: report.html }
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import sharp from 'sharp';
import type { StageImplementation } from '../dag/stage-kind.ts';
import type { BackendRequest } from '../engine/backend.ts';
import { readAlignments } from '../face/alignments-file.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { keptFaces, spread } from '../swap/kept-faces.ts';
import { readMetrics } from '../swap/metrics-file.ts';
import { reportHtml } from '../swap/report.ts';
import { readSwapRecord } from '../swap/swap-record.ts';
import { latentMapSvg, pca2 } from '../swap/latent-map.ts';
import { readLossLog } from '../train/loss-log.ts';
import { readQualityLog } from '../train/quality-log.ts';
import { readImage } from '../media/image.ts';
import { checkpointCoverage, loadCheckpointAt } from '../model/checkpoint.ts';
import { latentEncoder } from '../model/latents.ts';
import { ensureEngine } from './engine.ts';
import type { SwapReportParams } from './registry.ts';
import { faultPoint } from '../util/fault-point.ts';

type P = SwapReportParams;

const thumb = (file: string) => sharp(file).resize(128, 128).png().toBuffer();

/** The latent map of up to 48 faces each: the source's, the target's, and the source's swapped (encoded again). */
async function latentMapOf(checkpoint: string, source: string, target: string, swappedDir: string, backend: BackendRequest | undefined): Promise<string> {
  await ensureEngine(backend);
  const m = await loadCheckpointAt(checkpoint);
  const enc = latentEncoder(m.ae, checkpointCoverage(m.state));
  try {
    const src = spread(keptFaces(readAlignments(source), source), 48);
    const dst = spread(keptFaces(readAlignments(target), target), 48);
    const crops = (files: string[]) => Promise.all(files.map((f) => readImage(f)));
    const za = await enc.encode(await crops(src.map((f) => f.face)));
    const zb = await enc.encode(await crops(dst.map((f) => f.face)));
    const zs = await enc.encode(await crops(src.map((f) => join(swappedDir, `${f.id}.png`))));
    return latentMapSvg(pca2([{ label: 'source', vectors: za }, { label: 'target', vectors: zb }, { label: 'source, swapped', vectors: zs }]));
  } finally {
    enc.dispose();
    m.ae.dispose();
  }
}

export const swapReportStage: StageImplementation<P> = {
  async run(ctx) {
    const out = ctx.outputs.report!;
    const model = ctx.inputs.model!;
    const read = (f: string) => (existsSync(f) ? readFileSync(f) : null);
    const lastLoss = readLossLog(model).at(-1) ?? null;
    const faces = spread(keptFaces(readAlignments(ctx.inputs.alignments!), ctx.inputs.alignments!), ctx.params.faces);
    const pairs = [];
    const swap = readSwapRecord(ctx.inputs.swapped!);
    const maskOf = (id: string) => (swap.learnedMasks ? join(ctx.inputs.swapped!, swap.learnedMasks, `${id}.png`) : null);
    for (const f of faces) {
      const m = maskOf(f.id);
      pairs.push({ id: f.id, original: await thumb(f.face), swapped: await thumb(join(ctx.inputs.swapped!, `${f.id}.png`)), learnedMask: m && existsSync(m) ? await thumb(m) : null });
    }
    const quality = readQualityLog(model);
    const latentMap = ctx.inputs.target ? await latentMapOf(swap.model.checkpoint, ctx.inputs.alignments!, ctx.inputs.target, ctx.inputs.swapped!, ctx.backend) : null;
    const links: Record<string, string> = {};
    for (const [label, key] of [
      ['swapped video', 'video'],
      ['side-by-side', 'comparison'],
      ['replaced-pixel mask', 'mask'],
      ['provenance (JSON)', 'provenance'],
      ['metrics (JSON)', 'metrics'],
    ] as const) {
      if (ctx.inputs[key]) links[label] = relative(dirname(out), ctx.inputs[key]);
    }
    faultPoint('report.written');
    const html = reportHtml({
      title: (ctx.meta.pipeline as { name?: string } | undefined)?.name ?? ctx.name,
      metrics: readMetrics(ctx.inputs.metrics!),
      lossCurve: read(join(model, 'loss.png')),
      preview: read(join(model, 'preview.png')),
      losses: lastLoss,
      pairs,
      links,
      quality,
      latentMap,
    });
    await writeFileAtomic(out, html);
  },
};
