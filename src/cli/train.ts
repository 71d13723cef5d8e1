/**
 * `janus train --a DIR --b DIR --out weights/NAME`: train the face-swap autoencoder. Running
 * it again on the same --out resumes from the newest good checkpoint and says from which
 * iteration. Ctrl-C saves a checkpoint and exits 130.
 *
 *   npx janus train --a runs/extract-a/faces --b runs/extract-b/faces --out weights/demo --preset tiny --minutes 5
 */
import cliProgress from 'cli-progress';
import { modelArchitecture } from '../config/model.ts';
import { parseConfig } from '../config/parse.ts';
import { TrainConfig } from '../config/train.ts';
import { resolveBackendChoice, selectBackend } from '../engine/backend.ts';
import { loadFaceSet } from '../train/face-set.ts';
import { train } from '../train/trainer.ts';
import { UserError } from '../util/errors.ts';
import { graceful, ungraceful } from '../util/signals.ts';
import { optionNumber as num, type CommandSpec } from './command.ts';

export const trainCommand: CommandSpec = {
  name: 'train',
  summary: 'train the shared encoder and decoders A and B on two face folders; resumes from --out',
  options: ['trainA', 'trainB', 'trainOut', 'preset', 'upsample', 'iterations', 'minutes', 'targetLoss', 'batchSize', 'learningRate', 'saveEvery', 'dssim', 'maskWeight', 'seed', 'backend'],
  async run(_args, opts) {
    for (const k of ['a', 'b', 'out'] as const) if (!opts[k]) throw new UserError(`janus train needs --${k}`, 'e.g. janus train --a runs/ea/faces --b runs/eb/faces --out weights/demo');
    const cfg = parseConfig(
      TrainConfig,
      {
        preset: opts.preset,
        upsample: opts.upsample,
        iterations: num(opts.iterations),
        minutes: num(opts.minutes),
        targetLoss: num(opts.targetLoss),
        batchSize: num(opts.batchSize),
        learningRate: num(opts.learningRate),
        saveEvery: num(opts.saveEvery),
        seed: num(opts.seed),
        dssim: opts.dssim ? true : undefined,
        maskWeight: num(opts.maskWeight),
      },
      'train options',
    );
    const { choice, source } = resolveBackendChoice(opts.backend as string | undefined);
    const sel = await selectBackend(choice, { source });
    const arch = modelArchitecture(cfg.preset, cfg.upsample);
    const a = await loadFaceSet(opts.a as string, arch.inputSize, { masks: cfg.maskWeight > 0 });
    const b = await loadFaceSet(opts.b as string, arch.inputSize, { masks: cfg.maskWeight > 0 });
    process.stderr.write(`training ${cfg.preset}/${cfg.upsample} on ${sel.backend}: ${a.faces.length} faces of A, ${b.faces.length} of B -> ${opts.out}\n`);
    const tty = process.stderr.isTTY;
    const bar = tty ? new cliProgress.SingleBar({ format: ' {bar} {value}/{total} | {ips} it/s | {fps} faces/s | A {la} B {lb} | eta {eta_formatted}', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic) : null;
    const t0 = performance.now();
    let startIt: number | null = null;
    let lastLine = 0;
    const signal = graceful();
    try {
      const r = await train({
        a,
        b,
        arch,
        out: opts.out as string,
        iterations: cfg.iterations,
        minutes: cfg.minutes,
        targetLoss: cfg.targetLoss,
        batchSize: cfg.batchSize,
        learningRate: cfg.learningRate,
        saveEvery: cfg.saveEvery,
        keep: cfg.keep,
        seed: cfg.seed,
        dssim: cfg.dssim,
        maskWeight: cfg.maskWeight,
        signal,
        log: (l) => process.stderr.write(`${l}\n`),
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
      });
      bar?.stop();
      process.stdout.write(`${r.message}; checkpoint ${r.checkpoint ?? 'none'}\n`);
      if (r.stoppedBy === 'signal') return 130;
      return r.stoppedBy === 'nan' ? 1 : 0;
    } finally {
      bar?.stop();
      ungraceful();
    }
  },
};
