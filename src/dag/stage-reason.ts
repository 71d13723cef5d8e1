/**
 * Why a stage runs, would run, is up to date or did not run: a discriminated union the runner
 * and the reporter switch on, and one function that says it in words (what `status`,
 * `--dry-run`, the logs and the run manifest print).
 *
 *   const why: StageReason = { kind: 'params-changed', changes: [{ key: 'count', before: 20, after: 30 }] };
 *   describeReason(why)   // 'params changed: count 20 -> 30'
 */
import type { BlockingState } from './outcome-state.ts';

/** A param whose value differs from the recorded run's (`undefined`: unset on that side). */
export interface ParamChange {
  key: string;
  before: unknown;
  after: unknown;
}

export type StageReason =
  // the stage is up to date
  | { kind: 'up-to-date' }
  // it runs (or would): its fingerprint does not match, in the order a person asks
  | { kind: 'missing-input'; input: string; path: string }
  | { kind: 'missing-output'; output: string; path: string }
  | { kind: 'never-run' }
  | { kind: 'incomplete'; changedSince: boolean; items: { done: number; total: number } | null }
  | { kind: 'failed-last-time'; error: string | null }
  | { kind: 'code-changed'; before: string; after: string }
  | { kind: 'params-changed'; changes: ParamChange[] }
  | { kind: 'definition-changed' }
  | { kind: 'input-changed'; input: string; path: string }
  | { kind: 'output-changed'; output: string; path: string }
  | { kind: 'forced'; also: StageReason | null }
  | { kind: 'upstream-will-run'; stage: string }
  // it did not run
  | { kind: 'upstream-blocked'; stage: string; state: BlockingState }
  | { kind: 'stopped-after-failure' }
  | { kind: 'interrupted-before-start' };

/** The reasons that make a stage run (what `evaluateStage` returns besides null). */
export type RunReason = Exclude<StageReason, { kind: 'up-to-date' | 'upstream-blocked' | 'stopped-after-failure' | 'interrupted-before-start' }>;

const MAX_PARAMS_SHOWN = 3;

function describeParams(changes: readonly ParamChange[]): string {
  const shown = changes.slice(0, MAX_PARAMS_SHOWN).map((c) => `${c.key} ${JSON.stringify(c.before) ?? '(unset)'} -> ${JSON.stringify(c.after) ?? '(unset)'}`);
  return shown.join(', ') + (changes.length > MAX_PARAMS_SHOWN ? ` (+${changes.length - MAX_PARAMS_SHOWN} more)` : '');
}

/** The reason in words, as `status` and `--dry-run` print it. */
export function describeReason(r: StageReason): string {
  switch (r.kind) {
    case 'up-to-date':
      return 'fingerprint matches';
    case 'missing-input':
      return `missing input: ${r.input} (${r.path})`;
    case 'missing-output':
      return `missing output: ${r.output} (${r.path})`;
    case 'never-run':
      return 'no record of a finished run';
    case 'incomplete': {
      const items = r.items ? ` (${r.items.done}/${r.items.total} items done)` : '';
      return r.changedSince ? `incomplete, and its inputs or params changed since${items}` : `incomplete: a run started and did not finish${items}`;
    }
    case 'failed-last-time':
      return `failed last time: ${r.error ?? 'unknown error'}`;
    case 'code-changed':
      return `code changed: ${r.before} -> ${r.after}`;
    case 'params-changed':
      return `params changed: ${describeParams(r.changes)}`;
    case 'definition-changed':
      return 'definition changed (inputs, outputs or persist)';
    case 'input-changed':
      return `input changed: ${r.input} (${r.path})`;
    case 'output-changed':
      return `output changed since it was made: ${r.output} (${r.path})`;
    case 'forced':
      return `forced${r.also ? `; also ${describeReason(r.also)}` : ''}`;
    case 'upstream-will-run':
      return `upstream stage "${r.stage}" will run`;
    case 'upstream-blocked':
      return `upstream stage "${r.stage}" ${r.state === 'failed' ? 'failed' : `was ${r.state.replace('-', ' ')}`}`;
    case 'stopped-after-failure':
      return 'stopped after a failure (fail fast; --keep-going runs the rest)';
    case 'interrupted-before-start':
      return 'interrupted before it started';
  }
}
