/**
 * `janus detect-baseline DIR`: the benchmark's baseline number: a logistic regression on
 * encoder latents of real vs fake faces, trained on the train split, AUC and accuracy on the
 * test split (and val). Writes DIR/baseline.json.
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
  if (r.note) process.stdout.write(`note: ${r.note}\n`);
  process.stdout.write(`baseline (${r.detector}, ${r.features.level}): test AUC ${pct(r.test.auc)}, accuracy ${pct(r.test.accuracy)}; ${dir}/baseline.json\n`);
  return 0;
}
