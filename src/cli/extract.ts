/**
 * `janus extract VIDEO --out DIR`: faces from one video, as a one-stage resumable pipeline in
 * DIR (kill it and run it again: it continues at the next frame).
 *
 *   npx janus extract samples/b.mp4 --out runs/extract-b
 *   npx janus extract group.mp4 --out runs/g --identity alice.jpg --detector tiny --size 128
 */
import { join, resolve } from 'node:path';
import { ExtractConfig } from '../config/extract.ts';
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
  options: ['extractOut', 'identity', 'detector', 'size', 'coverage', 'minScore', 'minSize', 'minBlur', 'noSmooth', 'backend'],
  async run([video], opts) {
    if (!opts.out) throw new UserError('janus extract needs --out DIR', 'e.g. janus extract samples/a.mp4 --out runs/extract-a');
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
      },
      'extract options',
    );
    await probeVideo(video!); // a bad video fails here, before anything is written
    if (opts.identity) requireInputFile(opts.identity as string, 'identity image');
    const backend = resolveBackendChoice(opts.backend as string | undefined);
    if (backend.source !== 'default') process.env.JANUS_BACKEND = backend.choice;
    const out = opts.out as string;
    const { identity: _i, ...params } = cfg;
    const r = await runCommandPipeline({
      workdir: out,
      name: 'extract',
      command: `janus extract ${video}`,
      backend: backend.choice,
      stages: [
        {
          name: 'extract',
          kind: 'extract',
          resource: 'gpu',
          params,
          inputs: { video: resolve(video!), ...(opts.identity ? { identity: resolve(opts.identity as string) } : {}) },
          outputs: { detections: 'detections', faces: 'faces', masks: 'masks', alignments: 'alignments.json' },
        },
      ],
    });
    if (r.ok) process.stdout.write(`${formatSummary(join(out, 'alignments.json'), summarise(readAlignments(join(out, 'alignments.json'))))}\n`);
    return exitCodeOf(r);
  },
};
