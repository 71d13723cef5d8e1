/**
 * `janus extract VIDEO --out DIR`: faces from one video, as a one-stage resumable pipeline in
 * DIR (kill it and run it again: it continues at the next frame).
 *
 *   npx janus extract samples/b.mp4 --out runs/extract-b
 *   npx janus extract group.mp4 --out runs/g --identity alice.jpg --detector tiny --size 128
 *   npx janus extract group.mp4 --out runs/g --identity cluster:2    # the second-largest identity
 *
 * Exit code 2 for a mistake in the options, also one found only after detection (cluster:N
 * beyond the clusters the video has).
 */
import { join, resolve } from 'node:path';
import { parseIdentity } from '../config/extract.ts';
import { resolveBackendChoice } from '../engine/backend.ts';
import { summariseFile } from '../face/alignments-file.ts';
import { probeVideo, refuseHdr, requireInputFile } from '../media/probe.ts';
import { UserError } from '../util/errors.ts';
import { formatSummary } from './alignments.ts';
import type { ExtractOpts } from './commands.ts';
import { exitCodeOf } from './run.ts';
import { checkWorkFolder, runCommandPipeline } from './command-pipeline.ts';

export async function run([video]: string[], opts: ExtractOpts): Promise<number> {
  // --identity is a photo (an input of the stage, not a param) or cluster:N (the cluster param)
  const { out, backend: backendFlag, identity, force, ...settings } = opts;
  checkWorkFolder(out, force);
  const who = identity === undefined ? null : parseIdentity(identity);
  const reference = who && 'reference' in who ? who.reference : undefined;
  const params = who && 'cluster' in who ? { ...settings, cluster: who.cluster } : settings;
  refuseHdr(await probeVideo(video!)); // a bad (or HDR) video fails here, before anything is written
  if (reference) requireInputFile(reference, 'identity image');
  const backend = resolveBackendChoice(backendFlag);
  const r = await runCommandPipeline({
    workdir: out,
    name: 'extract',
    command: `janus extract ${video}`,
    backend,
    stages: [
      {
        name: 'extract',
        kind: 'extract',
        resource: 'gpu',
        params,
        inputs: { video: resolve(video!), ...(reference ? { identity: resolve(reference) } : {}) },
        outputs: { detections: 'detections', faces: 'faces', masks: 'masks', alignments: 'alignments.json' },
      },
    ],
    force,
  });
  if (r.ok) {
    const file = join(out, 'alignments.json');
    const { header, summary } = summariseFile(file); // a frame at a time: a long video's alignments are not held
    process.stdout.write(`${formatSummary(file, summary, header)}\n`);
  }
  const mistake = r.outcomes.find((o) => o.state === 'failed' && o.userError);
  if (mistake) throw new UserError(mistake.error!, mistake.hint ?? 'fix the option and run the same command again');
  return exitCodeOf(r);
}
