/**
 * `janus train --a DIR --b DIR --out weights/NAME`: train the face-swap autoencoder. Running
 * it again on the same --out resumes from the newest good checkpoint and says from which
 * iteration. Ctrl-C (or SIGTERM, SIGHUP) saves a checkpoint and exits 130. The folder is locked
 * (`--out/.janus/lock`) for the run: a second `janus train` on the same --out is refused, naming the holder.
 *
 *   npx janus train --a runs/extract-a/faces --b runs/extract-b/faces --out weights/demo --preset tiny --minutes 5
 */
import cliProgress from 'cli-progress';
import { resolveBackendChoice, selectBackend } from '../engine/backend.ts';
import { trainFromConfig } from '../stages/train.ts';
import { graceful, ungraceful } from '../util/signals.ts';
import type { TrainOpts } from './commands.ts';
import { trainingEnd, withModelFolder } from './model-folder.ts';

export async function run(_args: string[], opts: TrainOpts): Promise<number> {
  return withModelFolder(opts.out, opts.force, `janus train --out ${opts.out}`, () => trainLocked(opts));
}

async function trainLocked(opts: TrainOpts): Promise<number> {
  const { a, b, out, backend, force: _force, ...cfg } = opts;
  const { choice, source } = resolveBackendChoice(backend);
  const sel = await selectBackend(choice, { source });
  process.stderr.write(`training ${cfg.preset}/${cfg.upsample} on ${sel.backend} -> ${out}\n`);
  const tty = process.stderr.isTTY;
  const bar = tty ? new cliProgress.SingleBar({ format: ' {bar} {value}/{total} | {ips} it/s | {fps} faces/s | A {la} B {lb} | eta {eta_formatted}', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic) : null;
  const t0 = performance.now();
  let startIt: number | null = null;
  let lastLine = 0;
  const signal = graceful();
  try {
    const r = await trainFromConfig(
      cfg,
      { a, b, out },
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
    return trainingEnd(r);
  } finally {
    bar?.stop();
    ungraceful();
  }
}
