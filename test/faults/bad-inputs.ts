/** Placeholder until the bad-inputs part lands. */
import type { FaultPart } from './lib.ts';

export async function runBadInputs(): Promise<FaultPart> {
  return { passed: 0, failures: [], lost: [] };
}
