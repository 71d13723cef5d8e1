/**
 * `janus train --a DIR --b DIR --out weights/NAME`: train the face-swap autoencoder. Running
 * it again on the same --out resumes from the newest good checkpoint and says from which
 * iteration. Ctrl-C saves a checkpoint and exits 130.
 *
 *   npx janus train --a runs/extract-a/faces --b runs/extract-b/faces --out weights/demo --preset tiny --minutes 5
 */
import cliProgress from 'cli-progress';
import { parseConfig } from '../config/parse.ts';
import { TrainConfig } from '../config/train.ts';
import { resolveBackendChoice, selectBackend } from '../engine/backend.ts';
import { trainFromConfig } from '../stages/train.ts';
import { UserError } from '../util/errors.ts';
import { graceful, ungraceful } from '../util/signals.ts';
import { optionNumber as num, type CommandSpec } from './command.ts';

/** The numeric options of train and pretrain (as parsed from the command line). */
export const TRAIN_NUMBERS = ['iterations', 'minutes', 'targetLoss', 'batchSize', 'learningRate', 'saveEvery', 'saveMinutes', 'seed', 'maskWeight', 'backgroundWeight', 'eyeMouthWeight', 'coverage', 'warpShare', 'warmup', 'minLrShare', 'colourJitter', 'qualityMinutes', 'holdout', 'qualitySample', 'stopAtQuality'] as const;

export const trainCommand: CommandSpec = {
  name: 'train',
  summary: 'train the shared encoder and decoders A and B on two face folders; resumes from --out',
  options: ['trainA', 'trainB', 'trainOut', 'preset', 'upsample', 'iterations', 'minutes', 'targetLoss', 'batchSize', 'learningRate', 'warmup', 'decay', 'minLrShare', 'trainCoverage', 'noDssim', 'learnMask', 'maskWeight', 'backgroundWeight', 'eyeMouthWeight', 'warpShare', 'colourJitter', 'saveEvery', 'saveMinutes', 'qualityMinutes', 'holdout', 'qualitySample', 'qualityDirection', 'stopAtQuality', 'init', 'seed', 'backend'],
  async run(_args, opts) {
    for (const k of ['a', 'b', 'out'] as const) if (!opts[k]) throw new UserError(`janus train needs --${k}`, 'e.g. janus train --a runs/ea/faces --b runs/eb/faces --out weights/demo');
    const given: Record<string, unknown> = { preset: opts.preset, upsample: opts.upsample, decay: opts.decay, qualityDirection: opts.qualityDirection, init: opts.init, dssim: opts.dssim === false ? false : undefined, learnMask: opts.learnMask ? true : undefined };
    for (const k of TRAIN_NUMBERS) given[k] = num(opts[k]);
    const cfg = parseConfig(TrainConfig, given, 'train options');
    const { choice, source } = resolveBackendChoice(opts.backend as string | undefined);
    const sel = await selectBackend(choice, { source });
    process.stderr.write(`training ${cfg.preset}/${cfg.upsample} on ${sel.backend} -> ${opts.out}\n`);
    const tty = process.stderr.isTTY;
    const bar = tty ? new cliProgress.SingleBar({ format: ' {bar} {value}/{total} | {ips} it/s | {fps} faces/s | A {la} B {lb} | eta {eta_formatted}', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic) : null;
    const t0 = performance.now();
    let startIt: number | null = null;
    let lastLine = 0;
    const signal = graceful();
    try {
      const r = await trainFromConfig(
        cfg,
        { a: opts.a as string, b: opts.b as string, out: opts.out as string },
        {
          signal,
          log: (l) => {
            if (bar?.isActive) bar.stop();
            process.stderr.write(`${l}\n`);
          },
          onIteration(it, la, lb) {
            startIt ??= it - 1;
            const secs = (performance.now() - t0) / 1000;
            const ips = (it - startIt) / secs;
            const payload = { ips: ips.toFixed(2), fps: (ips * 2 * cfg.batchSize).toFixed(1), la: la.toFixed(4), lb: lb.toFixed(4) };
            if (bar) {
              if (!bar.isActive) bar.start(cfg.iterations, it, payload);
              bar.update(it, payload);
            } else if (performance.now() - lastLine > 10_000 || it === cfg.iterations) {
              lastLine = performance.now();
              process.stderr.write(`iteration ${it}/${cfg.iterations}: loss A ${payload.la}, B ${payload.lb}, ${payload.ips} it/s, ${payload.fps} faces/s\n`);
            }
          },
        },
      );
      bar?.stop();
      process.stdout.write(`${r.message}; checkpoint ${r.checkpoint ?? 'none'}\n`);
      if (r.stoppedBy === 'signal') return 130;
      return r.stoppedBy === 'nan' || r.stoppedBy === 'device-lost' ? 1 : 0;
    } finally {
      bar?.stop();
      ungraceful();
    }
  },
};
