/**
 * `janus pretrain FACES... --out weights/NAME`: DeepFaceLab's pretrain idea. The shared encoder
 * and one generic decoder learn faces in general from any number of people's faces folders
 * (pooled); `janus train --init weights/NAME` (or the train stage's `init`) then starts a pair
 * from it instead of from random weights. Same recipe, options and checkpoints as `janus train`;
 * running it again on the same --out resumes.
 *
 *   npx janus pretrain runs/c/faces runs/d/faces --out weights/pretrained-tiny --preset tiny --minutes 10
 *   npx janus train --a runs/a/faces --b runs/b/faces --out weights/ab --preset tiny --init weights/pretrained-tiny
 */
import { modelArchitecture } from '../config/model.ts';
import { parseConfig } from '../config/parse.ts';
import { TrainConfig } from '../config/train.ts';
import { resolveBackendChoice, selectBackend } from '../engine/backend.ts';
import { train } from '../train/trainer.ts';
import { loadPooledFaces } from '../train/training-data.ts';
import { UserError } from '../util/errors.ts';
import { graceful, ungraceful } from '../util/signals.ts';
import { optionNumber as num, type CommandSpec } from './command.ts';
import { TRAIN_NUMBERS } from './train.ts';

export const pretrainCommand: CommandSpec = {
  name: 'pretrain',
  args: ['<faces...>'],
  summary: 'pretrain the shared encoder and a generic decoder on any people\'s faces folders; train --init starts from it',
  options: ['trainOut', 'preset', 'upsample', 'iterations', 'minutes', 'batchSize', 'learningRate', 'warmup', 'decay', 'minLrShare', 'trainCoverage', 'noDssim', 'learnMask', 'maskWeight', 'backgroundWeight', 'eyeMouthWeight', 'warpShare', 'colourJitter', 'saveEvery', 'saveMinutes', 'seed', 'backend'],
  async run(args, opts) {
    if (!opts.out) throw new UserError('janus pretrain needs --out', 'e.g. janus pretrain runs/c/faces runs/d/faces --out weights/pretrained');
    const given: Record<string, unknown> = { preset: opts.preset, upsample: opts.upsample, decay: opts.decay, qualityMinutes: 0, dssim: opts.dssim === false ? false : undefined, learnMask: opts.learnMask ? true : undefined };
    for (const k of TRAIN_NUMBERS) if (k !== 'qualityMinutes') given[k] = num(opts[k]);
    const cfg = parseConfig(TrainConfig, given, 'pretrain options');
    const { choice, source } = resolveBackendChoice(opts.backend as string | undefined);
    const sel = await selectBackend(choice, { source });
    const arch = modelArchitecture(cfg.preset, cfg.upsample, cfg.learnMask);
    const log = (l: string) => process.stderr.write(`${l}\n`);
    const pooled = await loadPooledFaces(cfg, args, arch.inputSize, log);
    log(`pretraining ${cfg.preset}/${cfg.upsample} on ${sel.backend}: ${pooled.set.faces.length} faces from ${args.length} folder${args.length === 1 ? '' : 's'} -> ${opts.out}`);
    const signal = graceful();
    try {
      let last = 0;
      const r = await train({
        ...cfg,
        init: undefined,
        a: pooled.set,
        b: pooled.set,
        arch,
        out: opts.out as string,
        extractCoverage: pooled.crop.coverage,
        pretrain: true,
        signal,
        log,
        onIteration(it, la) {
          if (performance.now() - last < 10_000) return;
          last = performance.now();
          log(`iteration ${it}/${cfg.iterations}: loss ${la.toFixed(4)}`);
        },
      });
      process.stdout.write(`${r.message}; checkpoint ${r.checkpoint ?? 'none'}\n`);
      if (r.stoppedBy === 'signal') return 130;
      return r.stoppedBy === 'nan' || r.stoppedBy === 'device-lost' ? 1 : 0;
    } finally {
      ungraceful();
    }
  },
};
