/**
 * The stage outcome states, listed once: every state is described by the reporter and accepted
 * by the run manifest's schema; the blocking ones are exactly those that skip a downstream stage;
 * the counts cover every state.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RunManifest } from '../../src/dag/manifest.ts';
import { BLOCKING_STATES, OUTCOME_STATES, countStates, isBlocking } from '../../src/dag/outcome-state.ts';
import { describeOutcome, outcome } from '../../src/dag/reporter.ts';

const test = suite('dag/outcome-state');

test('every state is described and recorded', () => {
  const outcomes = OUTCOME_STATES.map((s) => outcome(`s-${s}`, s, { kind: 'never-run' }));
  for (const o of outcomes) assert.match(describeOutcome(o), new RegExp(`^s-${o.state}: \\S`), o.state);
  const stageSchema = RunManifest.shape.stages.element;
  for (const o of outcomes) assert.ok(stageSchema.safeParse(o).success, `${o.state} is a valid run-manifest state`);
  assert.not.ok(stageSchema.safeParse({ ...outcomes[0], state: 'done' }).success, 'an unknown state is refused');
});

test('blocking states and counts', () => {
  assert.equal(OUTCOME_STATES.filter(isBlocking), [...BLOCKING_STATES]);
  assert.equal(OUTCOME_STATES.filter(isBlocking), ['failed', 'interrupted', 'skipped', 'not-run']);
  const counts = countStates([{ state: 'ran' }, { state: 'ran' }, { state: 'failed' }]);
  assert.equal(counts, { ran: 2, 'up-to-date': 0, 'would-run': 0, failed: 1, interrupted: 0, skipped: 0, 'not-run': 0 });
});

test.run();
