/** Placeholder until the kills part lands. */
import type { FaultPart } from './lib.ts';

export async function runKills(): Promise<FaultPart> {
  return { passed: 0, failures: [], lost: [] };
}
