/**
 * `janus samples`: build the sample clips (samples/a.mp4, samples/b.mp4) from face-api's photos.
 *
 *   npx janus samples
 *   npx janus samples --out /tmp/s --only a
 */
import { join } from 'node:path';
import { SamplesCommandConfig } from '../config/cli.ts';
import { parseConfig } from '../config/parse.ts';
import { SAMPLE_IDENTITIES, SAMPLE_NAMES } from '../config/samples.ts';
import { makeSampleClip } from '../samples/make-sample.ts';
import type { CommandSpec } from './command.ts';

export const samplesCommand: CommandSpec = {
  name: 'samples',
  summary: 'build the sample clips (one per identity: ~5 s, 25 fps, 512 px, with audio) from the photos inside face-api',
  options: ['samplesOut', 'samplesOnly'],
  async run(_args, opts) {
    const cfg = parseConfig(SamplesCommandConfig, { out: opts.out, only: opts.only }, 'samples options');
    for (const name of cfg.only ? [cfg.only] : SAMPLE_NAMES) {
      const out = join(cfg.out, `${name}.mp4`);
      const t0 = Date.now();
      await makeSampleClip(name, out);
      process.stdout.write(`wrote ${out} (${SAMPLE_IDENTITIES[name].description}) in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
    }
    return 0;
  },
};
