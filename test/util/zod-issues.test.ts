/**
 * zod issues in words: one expectation per issue serves both wordings, a file's (`KEY: expected
 * a number, got "x"`) and an option's (`expected KEY to be a number, got "x"`); a missing field,
 * a bound, a literal, a choice and unknown keys each read as such; a refinement keeps zod's message.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { z } from 'zod';
import { parseConfig } from '../../src/config/parse.ts';
import { describeIssue, expectation } from '../../src/util/zod-issues.ts';

const test = suite('util/zod-issues');

const Doc = z
  .object({
    n: z.number().int().min(1).max(9),
    kind: z.enum(['a', 'b']),
    schema: z.literal('t/1'),
    share: z.number().lt(1),
    odd: z.number().refine((v) => v % 2 === 1, 'expected an odd number'),
  })
  .strict();
const good = { n: 3, kind: 'a', schema: 't/1', share: 0.5, odd: 1 };

/** The first issue of `value` against Doc, worded for a file and for an option. */
function both(value: Record<string, unknown>): { file: string; option: string; expected: string | null } {
  const r = Doc.safeParse(value);
  assert.ok(!r.success, 'the value is invalid');
  const iss = r.error.issues[0]!;
  let option = '';
  try {
    parseConfig(Doc, value, 'the test');
  } catch (err) {
    option = (err as Error).message;
  }
  return { file: describeIssue(iss, value), option, expected: expectation(iss) };
}

test('one expectation, two wordings', () => {
  const cases: Array<[Record<string, unknown>, string | null, string, string]> = [
    [{ ...good, n: 'x' }, 'a number', 'n: expected a number, got "x"', 'invalid the test: expected n to be a number, got "x"'],
    [{ ...good, n: 1.5 }, 'an int', 'n: expected an int, got 1.5', 'invalid the test: expected n to be an int, got 1.5'],
    [{ ...good, n: 0 }, '>= 1', 'n: expected >= 1, got 0', 'invalid the test: expected n to be >= 1, got 0'],
    [{ ...good, n: 10 }, '<= 9', 'n: expected <= 9, got 10', 'invalid the test: expected n to be <= 9, got 10'],
    [{ ...good, share: 1 }, '< 1', 'share: expected < 1, got 1', 'invalid the test: expected share to be < 1, got 1'],
    [{ ...good, kind: 'c' }, 'one of a|b', 'kind: expected one of a|b, got "c"', 'invalid the test: expected kind to be one of a|b, got "c"'],
    [{ ...good, schema: 't/2' }, '"t/1"', 'schema: expected "t/1", got "t/2"', 'invalid the test: expected schema to be "t/1", got "t/2"'],
    [{ ...good, odd: 2 }, null, 'odd: expected an odd number, got 2', 'invalid the test: odd: expected an odd number, got 2'],
    [{ ...good, extra: 1 }, null, '(top level): unknown key "extra"', 'invalid the test: unknown key "extra"'],
  ];
  for (const [value, expected, file, option] of cases) assert.equal(both(value), { file, option, expected }, JSON.stringify(value));
  const { n: _, ...noN } = good;
  assert.equal(both(noN), { file: 'n: missing (expected a number)', option: 'invalid the test: n: missing (expected a number)', expected: 'a number' });
});

test.run();
