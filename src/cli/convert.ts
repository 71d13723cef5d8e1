/**
 * `janus convert VIDEO --alignments FILE --model DIR --out OUT.mp4`: swap the faces of one
 * video with a trained model (faceswap's verb). Runs the swap, composite, metrics and report
 * stages as a resumable pipeline in a work folder beside OUT (kill it, run it again: it goes on
 * at the next face or segment), then puts the results beside OUT:
 * OUT, OUT's stem + .mask.mp4, .side-by-side.mp4, .provenance.json, .metrics.json, .report.html.
 *
 *   npx janus convert samples/a.mp4 --alignments runs/demo/a/alignments.json --model runs/demo/model --out out/a-as-b.mp4
 *   npx janus convert b.mp4 --alignments eb/alignments.json --model weights/ab --direction b-to-a --out b-as-a.mp4 --seamless
 */
import { existsSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fieldsOf } from '../config/parse.ts';
import { CompositeConfig, SwapConfig } from '../config/swap.ts';
import { resolveBackendChoice } from '../engine/backend.ts';
import { readAlignments } from '../face/alignments-file.ts';
import { linkOrCopy, reserveTemp } from '../util/atomic-write.ts';
import { probeVideo, refuseHdr, withExactFrameCount } from '../media/probe.ts';
import { UserError } from '../util/errors.ts';
import type { ConvertOpts } from './commands.ts';
import { exitCodeOf } from './run.ts';
import { checkWorkFolder, runCommandPipeline } from './command-pipeline.ts';

/** Put `src` at `dst` atomically: a hard link (same bytes, no copy) or else a copy. */
async function publish(src: string, dst: string): Promise<void> {
  if (resolve(src) === resolve(dst)) return; // --workdir is the output's own folder
  const r = reserveTemp(dst);
  try {
    linkOrCopy(src, r.tmp);
    await r.commit();
  } catch (err) {
    await r.discard();
    throw err;
  }
}

export async function run([video]: string[], opts: ConvertOpts): Promise<number> {
  const swap = fieldsOf(SwapConfig, opts);
  const composite = fieldsOf(CompositeConfig, opts);
  const out = resolve(opts.out);
  const stem = basename(out, extname(out));
  const workdir = resolve(opts.workdir ?? join(dirname(out), `${stem}.janus`));
  checkWorkFolder(workdir, opts.force); // before anything else: a folder of the user's is refused as it is
  const ext = extname(out); // .mp4, .mov or .mkv (the option's schema)
  const alignments = resolve(opts.alignments);
  const doc = readAlignments(alignments);
  const probed = await probeVideo(video!);
  refuseHdr(probed);
  const info = await withExactFrameCount(probed); // extract counted exactly (VFR: the resampled frames; MKV: no count in the container)
  if (info.width !== doc.video.width || info.height !== doc.video.height || info.frameCount !== doc.video.frameCount) {
    throw new UserError(
      `--alignments ${opts.alignments} was extracted from a ${doc.video.width}x${doc.video.height} video of ${doc.video.frameCount} frames (${doc.video.file}), but "${video}" is ${info.width}x${info.height} with ${info.frameCount} frames`,
      `pass the alignments.json that janus extract wrote for ${video}`,
    );
  }
  if (basename(doc.video.file) !== basename(video!)) process.stderr.write(`warning: --alignments ${opts.alignments} was extracted from "${doc.video.file}", not "${video}"\n`);
  const model = resolve(opts.model);
  if (!existsSync(model)) throw new UserError(`model folder "${opts.model}" does not exist`, 'pass the folder janus train --out wrote, or a run\'s model/ folder');
  const target = opts.target ? resolve(opts.target) : undefined;
  if (target) readAlignments(target);
  const backend = resolveBackendChoice(opts.backend);

  const names = {
    video: `${stem}${ext}`,
    mask: `${stem}.mask${ext}`,
    comparison: `${stem}.side-by-side${ext}`,
    provenance: `${stem}.provenance.json`,
    metrics: `${stem}.metrics.json`,
    report: `${stem}.report.html`,
  };
  const sideBySide = opts.sideBySide;
  const r = await runCommandPipeline({
    workdir,
    name: 'convert',
    command: `janus convert ${video}`,
    backend,
    stages: [
      { name: 'swap', kind: 'swap', resource: 'gpu', params: swap, inputs: { alignments, model }, outputs: { faces: 'swapped' } },
      {
        name: 'composite',
        kind: 'composite',
        params: composite,
        inputs: { video: resolve(video!), alignments, swapped: '@swap.faces' },
        outputs: { segments: 'segments', video: names.video, mask: names.mask, ...(sideBySide ? { comparison: names.comparison } : {}), stats: 'composite.json', provenance: names.provenance },
      },
      {
        name: 'metrics',
        kind: 'swap-metrics',
        resource: 'gpu',
        inputs: { source: alignments, ...(target ? { target } : {}), swapped: '@swap.faces', model, composite: '@composite.stats', video: resolve(video!), output: '@composite.video', mask: '@composite.mask' },
        outputs: { metrics: names.metrics },
      },
      {
        name: 'report',
        kind: 'swap-report',
        inputs: {
          metrics: '@metrics.metrics',
          model,
          alignments,
          ...(target ? { target } : {}),
          swapped: '@swap.faces',
          video: '@composite.video',
          mask: '@composite.mask',
          ...(sideBySide ? { comparison: '@composite.comparison' } : {}),
          provenance: '@composite.provenance',
        },
        outputs: { report: names.report },
      },
    ],
    force: opts.force,
  });
  if (!r.ok) return exitCodeOf(r);
  const written: string[] = [];
  for (const [key, name] of Object.entries(names)) {
    if (key === 'comparison' && !sideBySide) continue;
    const dst = key === 'video' ? out : join(dirname(out), name);
    await publish(join(workdir, name), dst);
    written.push(dst);
  }
  process.stdout.write(`${written.join('\n')}\n`);
  return 0;
}
