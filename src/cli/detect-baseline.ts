/**
 * `janus detect-baseline DIR`: the benchmark's baseline table: a logistic regression on encoder
 * latents and a small CNN on face crops, each trained on the train split of every compression
 * level, AUC and accuracy on the test split per level and per perturbation type. Writes
 * DIR/baseline.json and the table into the dataset card (DIR/README.md).
 *
 *   npx janus detect-baseline runs/bench --level c40
 */
import { detectBaseline } from '../benchmark/detect-baseline.ts';
import { resolveBackendChoice, selectBackend } from '../engine/backend.ts';
import type { DetectBaselineOpts } from './commands.ts';

const pct = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3));

export async function run([dir]: string[], opts: DetectBaselineOpts): Promise<number> {
  const { backend, ...settings } = opts;
  const { choice, source } = resolveBackendChoice(backend);
  await selectBackend(choice, { source });
  const r = await detectBaseline(dir!, settings);
  for (const s of ['train', 'val', 'test'] as const) {
    const x = r[s];
    if (x.faces) process.stdout.write(`${s}: ${x.faces} faces (${x.real} real, ${x.fake} fake): AUC ${pct(x.auc)}, accuracy ${pct(x.accuracy)}\n`);
  }
  for (const x of r.table) process.stdout.write(`  ${x.detector.padEnd(7)} ${x.data.padEnd(6)} (trained on ${x.trainedOn}): test AUC ${pct(x.auc)}, accuracy ${pct(x.accuracy)} (${x.real} real, ${x.fake} fake faces)\n`);
  if (r.note) process.stdout.write(`note: ${r.note}\n`);
  process.stdout.write(`baseline (${r.detector}, ${r.features.level}): test AUC ${pct(r.test.auc)}, accuracy ${pct(r.test.accuracy)}; ${dir}/baseline.json\n`);
  return 0;
}
