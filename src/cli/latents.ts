/**
 * `janus latents VIDEO --model DIR --alignments FILE --out FILE`: the encoder's bottleneck
 * vector for each kept face of a video (re-cut from the video with the alignments' matrices,
 * so it works on compressed or swapped copies too), as JSON.
 *
 *   npx janus latents samples/a.mp4 --model runs/demo/model --alignments runs/demo/a/alignments.json --out a.latents.json
 */
import { readAlignments } from '../face/alignments-file.ts';
import { recropFaces } from '../face/recrop.ts';
import { resolveBackendChoice, selectBackend } from '../engine/backend.ts';
import { writeJsonAtomic } from '../util/atomic-write.ts';
import { probeVideo } from '../media/probe.ts';
import { checkpointCoverage, loadTrainedModel } from '../model/checkpoint.ts';
import { latentEncoder } from '../model/latents.ts';
import { spread } from '../swap/kept-faces.ts';
import { UserError } from '../util/errors.ts';
import type { LatentsOpts } from './commands.ts';
import type { RgbImage } from '../util/geometry.ts';

export async function run([video]: string[], opts: LatentsOpts): Promise<number> {
  const doc = readAlignments(opts.alignments);
  const info = await probeVideo(video!);
  if (info.width !== doc.video.width || info.height !== doc.video.height) {
    throw new UserError(`--alignments ${opts.alignments} is of a ${doc.video.width}x${doc.video.height} video, "${video}" is ${info.width}x${info.height}`, 'pass the alignments of this video (or of the video it was made from)');
  }
  const { choice, source } = resolveBackendChoice(opts.backend);
  await selectBackend(choice, { source });
  const m = await loadTrainedModel(opts.model);
  const enc = latentEncoder(m.ae, checkpointCoverage(m.state));
  try {
    const kept = doc.frames.filter((f) => f.faces.some((x) => x.kept && x.matrix)).map((f) => f.index);
    const limit = opts.faces;
    const frames = new Set(limit > 0 ? spread(kept, limit) : kept);
    const faces: Array<{ frame: number; latent: number[] }> = [];
    const batch: Array<{ frame: number; image: RgbImage }> = [];
    const flush = async () => {
      const v = await enc.encode(batch.map((b) => b.image));
      batch.forEach((b, i) => faces.push({ frame: b.frame, latent: Array.from(v[i]!, (x) => +x.toPrecision(6)) }));
      batch.length = 0;
    };
    for await (const c of recropFaces(video!, doc, { frames })) {
      batch.push(c);
      if (batch.length === 32) await flush();
    }
    if (batch.length) await flush();
    await writeJsonAtomic(opts.out, { schema: 'janus.latents/1', video, alignments: opts.alignments, model: { folder: opts.model, checkpoint: m.dir, fingerprint: m.fingerprint, preset: m.state.arch.preset }, layer: 'enc_latent', dims: enc.dims, faces });
    process.stdout.write(`${faces.length} faces x ${enc.dims} dims -> ${opts.out}\n`);
    return 0;
  } finally {
    enc.dispose();
    m.ae.dispose();
  }
}
