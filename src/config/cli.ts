/**
 * Settings of the commands that are not a pipeline stage's: where samples go, output format.
 * Defaults live here and nowhere else; the CLI's help text reads them from these schemas.
 *
 *   SamplesCommandConfig.parse({})   // { out: 'samples', only: undefined }
 */
import { z } from 'zod';
import { SAMPLE_IDENTITIES } from './samples.ts';

export const SamplesCommandConfig = z
  .object({
    /** Folder the clips are written to. */
    out: z.string().min(1).default('samples'),
    /** Build only this identity's clip. */
    only: z.enum(Object.keys(SAMPLE_IDENTITIES) as [keyof typeof SAMPLE_IDENTITIES, ...(keyof typeof SAMPLE_IDENTITIES)[]]).optional(),
  })
  .strict();
export type SamplesCommandConfig = z.infer<typeof SamplesCommandConfig>;

export const OutputConfig = z
  .object({
    /** Print machine-readable JSON instead of text. */
    json: z.boolean().default(false),
  })
  .strict();
