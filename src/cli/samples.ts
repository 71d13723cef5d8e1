/**
 * `janus samples`: build the sample clips (samples/a.mp4, samples/b.mp4) from face-api's photos.
 *
 *   npx janus samples
 *   npx janus samples --out /tmp/s --only a
 */
import { join } from 'node:path';
import { SAMPLE_IDENTITIES, SAMPLE_NAMES } from '../config/samples.ts';
import { makeSampleClip } from '../samples/make-sample.ts';
import type { SamplesOpts } from './commands.ts';

export async function run(_args: string[], cfg: SamplesOpts): Promise<number> {
  for (const name of cfg.only ? [cfg.only] : SAMPLE_NAMES) {
    const out = join(cfg.out, `${name}.mp4`);
    const t0 = Date.now();
    await makeSampleClip(name, out);
    process.stdout.write(`wrote ${out} (${SAMPLE_IDENTITIES[name].description}) in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
  }
  return 0;
}
