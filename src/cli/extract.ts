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
import { ExtractConfig, parseIdentity } from '../config/extract.ts';
import { parseConfig } from '../config/parse.ts';
import { resolveBackendChoice } from '../engine/backend.ts';
import { summarise, readAlignments } from '../face/alignments-file.ts';
import { probeVideo, requireInputFile } from '../media/probe.ts';
import { UserError } from '../util/errors.ts';
import { formatSummary } from './alignments.ts';
import { optionNumber as num, type CommandSpec } from './command.ts';
import { exitCodeOf } from './run.ts';
import { runCommandPipeline } from './command-pipeline.ts';

export const extractCommand: CommandSpec = {
  name: 'extract',
  args: ['<video>'],
  summary: 'detect, align and mask the target person\'s face in every frame (resumable); writes faces/, masks/, alignments.json',
  options: ['extractOut', 'identity', 'detector', 'size', 'coverage', 'minScore', 'minSize', 'minBlur', 'noSmooth', 'smoothing', 'backend'],
  async run([video], opts) {
    if (!opts.out) throw new UserError('janus extract needs --out DIR', 'e.g. janus extract samples/a.mp4 --out runs/extract-a');
    const who = opts.identity === undefined ? null : parseIdentity(opts.identity as string);
    const reference = who && 'reference' in who ? who.reference : undefined;
    const cfg = parseConfig(
      ExtractConfig,
      {
        detector: opts.detector,
        size: num(opts.size),
        coverage: num(opts.coverage),
        minScore: num(opts.minScore),
        minSize: num(opts.minSize),
        minBlur: num(opts.minBlur),
        smooth: opts.smooth === false ? false : undefined,
        smoothing: opts.smoothing,
        cluster: who && 'cluster' in who ? who.cluster : undefined,
      },
      'extract options',
    );
    await probeVideo(video!); // a bad video fails here, before anything is written
    if (reference) requireInputFile(reference, 'identity image');
    const backend = resolveBackendChoice(opts.backend as string | undefined);
    const out = opts.out as string;
    const { identity: _i, ...params } = cfg;
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
    });
    if (r.ok) {
      const file = join(out, 'alignments.json');
      const doc = readAlignments(file);
      process.stdout.write(`${formatSummary(file, summarise(doc), doc)}\n`);
    }
    const mistake = r.outcomes.find((o) => o.state === 'failed' && o.userError);
    if (mistake) throw new UserError(mistake.error!, 'fix the option and run the same command again');
    return exitCodeOf(r);
  },
};
