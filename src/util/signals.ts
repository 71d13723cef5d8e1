/**
 * Ctrl-C, SIGTERM and SIGHUP (the terminal closed), handled alike, once for the whole CLI. A
 * command that can stop cleanly (the DAG runner, training) calls `graceful()` for an
 * AbortSignal and, until its `ungraceful()`, the first signal
 * aborts that signal (the runner finishes or aborts in-flight items and keeps its state
 * consistent) and the second exits at once. Without such a command, the first signal exits.
 * Either way the exit code is 130 and temp files are removed on the way out.
 *
 *   const signal = graceful();      // the command now handles interrupts itself
 *   try { await runPipeline(p, { signal, … }); } finally { ungraceful(); }
 */

/** The signals that stop a run (same handling, same exit code). */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

const controller = new AbortController();
let gracefulDepth = 0;
let installed = false;
let received: NodeJS.Signals | null = null;

export function installSignalHandlers(write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): void {
  if (installed) return;
  installed = true;
  for (const sig of STOP_SIGNALS) {
    process.on(sig, () => {
      // after a hang-up the terminal is gone: writing to it must not turn a clean stop into a crash
      if (sig === 'SIGHUP') for (const s of [process.stdout, process.stderr]) s.on('error', () => undefined);
      if (received || gracefulDepth === 0) {
        if (!received) write(`\njanus: ${sig}: stopping (temp files are removed; finished outputs are kept)`);
        process.exit(130);
      }
      received = sig;
      write(`\njanus: ${sig}: stopping after in-flight work (state is kept; run again to resume; press again to quit now)`);
      controller.abort(new Error(`interrupted by ${sig}`));
    });
  }
}

/** The signal a graceful command watches; call `ungraceful()` when it is done. */
export function graceful(): AbortSignal {
  gracefulDepth++;
  return controller.signal;
}

export function ungraceful(): void {
  gracefulDepth = Math.max(0, gracefulDepth - 1);
}

