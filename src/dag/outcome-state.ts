/**
 * The states a stage's outcome can have, listed once: the reporter switches on them, the run
 * manifest validates and counts them, the scheduler blocks on some, summaries print them in
 * this order.
 *
 *   OUTCOME_STATES                 // ['ran', 'up-to-date', 'would-run', 'failed', 'interrupted', 'skipped', 'not-run']
 *   isBlocking('failed')           // true: a downstream stage is skipped
 */

/** Every outcome state, in the order summaries list them. */
export const OUTCOME_STATES = ['ran', 'up-to-date', 'would-run', 'failed', 'interrupted', 'skipped', 'not-run'] as const;
export type OutcomeState = (typeof OUTCOME_STATES)[number];

/** The states of an upstream stage that keep a downstream stage from running. */
export const BLOCKING_STATES = ['failed', 'interrupted', 'skipped', 'not-run'] as const satisfies readonly OutcomeState[];
export type BlockingState = (typeof BLOCKING_STATES)[number];

export function isBlocking(state: OutcomeState): state is BlockingState {
  return (BLOCKING_STATES as readonly OutcomeState[]).includes(state);
}

/** How many outcomes are in each state (every state, zeros included). */
export function countStates(outcomes: ReadonlyArray<{ state: OutcomeState }>): Record<OutcomeState, number> {
  return Object.fromEntries(OUTCOME_STATES.map((s) => [s, outcomes.filter((o) => o.state === s).length])) as Record<OutcomeState, number>;
}
