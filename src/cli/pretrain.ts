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
import { graceful, ungraceful } from '../util/signals.ts';
import type { PretrainOpts } from './commands.ts';
import { trainingEnd, withModelFolder } from './model-folder.ts';

export async function run(args: string[], opts: PretrainOpts): Promise<number> {
  return withModelFolder(opts.out, opts.force, `janus pretrain --out ${opts.out}`, () => pretrainLocked(args, opts));
}

async function pretrainLocked(args: string[], opts: PretrainOpts): Promise<number> {
  const { out, backend, force: _force, ...settings } = opts;
  // no quality probe: nothing is held out
  const cfg = parseConfig(TrainConfig, { ...settings, qualityMinutes: 0 }, 'pretrain options');
  const { choice, source } = resolveBackendChoice(backend);
  const sel = await selectBackend(choice, { source });
  const arch = modelArchitecture(cfg.preset, cfg.upsample, cfg.learnMask);
  const log = (l: string) => process.stderr.write(`${l}\n`);
  const pooled = await loadPooledFaces(cfg, args, arch.inputSize, log);
  log(`pretraining ${cfg.preset}/${cfg.upsample} on ${sel.backend}: ${pooled.set.faces.length} faces from ${args.length} folder${args.length === 1 ? '' : 's'} -> ${out}`);
  const signal = graceful();
  try {
    let last = 0;
    const r = await train({
      ...cfg,
      init: undefined,
      a: pooled.set,
      b: pooled.set,
      arch,
      out,
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
    return trainingEnd(r);
  } finally {
    ungraceful();
  }
}
