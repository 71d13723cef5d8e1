/**
 * How the runner tells a person what it is doing. The CLI gives progress bars on a TTY and
 * plain log lines otherwise; tests use a recording reporter.
 *
 *   const r = plainReporter((line) => process.stdout.write(`${line}\n`));
 */
import type { OutcomeState } from './outcome-state.ts';
import { describeReason, type StageReason } from './stage-reason.ts';

export interface StageOutcome {
  name: string;
  state: OutcomeState;
  /** Why it ran / would run / was skipped, as data. */
  why: StageReason;
  /** The same in words (`describeReason(why)`): what status, --dry-run and run-manifest.json show. */
  reason: string;
  fingerprint?: string;
  seconds?: number;
  items?: { done: number; total: number; resumedFrom: number };
  outputs?: Record<string, { path: string; hash: string }>;
  error?: string;
  /** The failure was a user mistake (a `UserError`: bad option or input) or the machine's (disk full, no permission), not a bug. */
  userError?: boolean;
  /** How to fix such a failure, one line. */
  hint?: string;
  /** What the stage did beyond its params (its kind's `did()`), when it ran or is up to date. */
  did?: Record<string, unknown>;
}

export interface Reporter {
  stageStart(name: string, why: StageReason, items?: { done: number; total: number }): void;
  stageItems(name: string, done: number, total: number): void;
  stageEnd(outcome: StageOutcome): void;
  message(line: string): void;
  close?(): void;
}

function fmtSeconds(s?: number): string {
  return s === undefined ? '' : ` in ${s < 10 ? s.toFixed(2) : s.toFixed(1)}s`;
}

/** A stage's outcome, built from its state and reason (`reason` is the reason in words). */
export function outcome(name: string, state: OutcomeState, why: StageReason, more: Omit<StageOutcome, 'name' | 'state' | 'why' | 'reason'> = {}): StageOutcome {
  return { name, state, why, reason: describeReason(why), ...more };
}

export function describeOutcome(o: StageOutcome): string {
  switch (o.state) {
    case 'up-to-date':
      return `${o.name}: up to date`;
    case 'ran':
      return `${o.name}: done${fmtSeconds(o.seconds)}${o.items ? ` (${o.items.total} items${o.items.resumedFrom ? `, resumed at ${o.items.resumedFrom}` : ''})` : ''}`;
    case 'would-run':
      return `${o.name}: would run: ${o.reason}`;
    case 'failed':
      return `${o.name}: FAILED: ${o.error ?? o.reason}${o.hint ? `\n  fix: ${o.hint}` : ''}`;
    case 'interrupted':
      return `${o.name}: interrupted${o.items ? ` at ${o.items.done}/${o.items.total} items` : ''} (resumes on the next run)`;
    case 'skipped':
      return `${o.name}: skipped: ${o.reason}`;
    case 'not-run':
      return `${o.name}: not run: ${o.reason}`;
  }
}

/** One line per event; item progress at most every 10% (or every item when there are few). */
export function plainReporter(write: (line: string) => void): Reporter {
  const lastPct = new Map<string, number>();
  return {
    stageStart(name, why, items) {
      write(`${name}: running (${describeReason(why)})${items && items.done ? `, resuming at item ${items.done}/${items.total}` : ''}`);
    },
    stageItems(name, done, total) {
      const pct = Math.floor((done / Math.max(1, total)) * 10);
      if (pct !== lastPct.get(name) || done === total) {
        lastPct.set(name, pct);
        write(`${name}: ${done}/${total} items`);
      }
    },
    stageEnd(o) {
      write(describeOutcome(o));
    },
    message: write,
  };
}

export const silentReporter: Reporter = { stageStart() {}, stageItems() {}, stageEnd() {}, message() {} };
