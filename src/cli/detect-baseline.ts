/**
 * `janus detect-baseline DIR`: the benchmark's baseline number: a logistic regression on
 * encoder latents of real vs fake faces, trained on the train split, AUC and accuracy on the
 * test split (and val). Writes DIR/baseline.json.
 *
 *   npx janus detect-baseline runs/bench --level c40
 */
import { detectBaseline } from '../benchmark/detect-baseline.ts';
import { resolveBackendChoice, selectBackend } from '../engine/backend.ts';
import type { CompressionLevel } from '../media/compress.ts';
import { optionNumber as num, type CommandSpec } from './command.ts';

const pct = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3));

export const detectBaselineCommand: CommandSpec = {
  name: 'detect-baseline',
  args: ['<dir>'],
  summary: 'train and score a baseline detector (logistic regression on encoder latents) on a benchmark: AUC and accuracy on the test split',
  options: ['level', 'facesPerVideo', 'baselineModel', 'backend'],
  async run([dir], opts) {
    const { choice, source } = resolveBackendChoice(opts.backend as string | undefined);
    await selectBackend(choice, { source });
    const r = await detectBaseline(dir!, { level: opts.level as CompressionLevel | undefined, facesPerVideo: num(opts.facesPerVideo), model: opts.model as string | undefined });
    for (const s of ['train', 'val', 'test'] as const) {
      const x = r[s];
      if (x.faces) process.stdout.write(`${s}: ${x.faces} faces (${x.real} real, ${x.fake} fake): AUC ${pct(x.auc)}, accuracy ${pct(x.accuracy)}\n`);
    }
    if (r.note) process.stdout.write(`note: ${r.note}\n`);
    process.stdout.write(`baseline (${r.detector}, ${r.features.level}): test AUC ${pct(r.test.auc)}, accuracy ${pct(r.test.accuracy)}; ${dir}/baseline.json\n`);
    return 0;
  },
};
