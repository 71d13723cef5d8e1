/**
 * Item lists as queue jobs carry them (in their data and progress, through Redis and its event
 * stream): runs of consecutive zero-padded numbers (frames, segments) as [first, last] pairs,
 * the other items as they are. An 18,000-frame extraction reports one pair, not 18,000 names.
 *
 *   compactItems(['000000', '000001', '000002', 'x'])   // { items: ['x'], runs: [['000000', '000002']] }
 *   expandItems({ items: ['x'], runs: [['000000', '000002']] })   // ['000000', '000001', '000002', 'x']
 */
import { z } from 'zod';

export const CompactItems = z.object({ items: z.array(z.string()), runs: z.array(z.tuple([z.string(), z.string()])) }).strict();
export type CompactItems = z.infer<typeof CompactItems>;

const NUMBER = /^\d+$/;
/** Runs this long or longer become a pair. */
const MIN_RUN = 3;

export function compactItems(list: Iterable<string>): CompactItems {
  const numbers = [...new Set(list)].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  const items: string[] = [];
  const runs: Array<[string, string]> = [];
  for (let i = 0; i < numbers.length; ) {
    const first = numbers[i]!;
    let j = i;
    if (NUMBER.test(first)) {
      while (j + 1 < numbers.length && numbers[j + 1]!.length === first.length && NUMBER.test(numbers[j + 1]!) && Number(numbers[j + 1]) === Number(numbers[j]) + 1) j++;
    }
    if (j - i + 1 >= MIN_RUN) runs.push([first, numbers[j]!]);
    else items.push(...numbers.slice(i, j + 1));
    i = j + 1;
  }
  return { items, runs };
}

export function expandItems(c: CompactItems): string[] {
  const out = [...c.items];
  for (const [first, last] of c.runs) {
    if (!NUMBER.test(first) || !NUMBER.test(last) || first.length !== last.length || Number(last) < Number(first)) throw new Error(`an item run [${first}, ${last}] is not two numbers of one width in order`);
    for (let n = Number(first); n <= Number(last); n++) out.push(String(n).padStart(first.length, '0'));
  }
  return out;
}

/** A job's progress with its items expanded. */
export const expandProgress = (p: { total: number; done: CompactItems }) => ({ total: p.total, done: expandItems(p.done) });
