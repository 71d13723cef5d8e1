/**
 * The DAG runner's reporter for people: progress bars (cli-progress) for per-item stages on a
 * TTY, plain log lines otherwise (CI logs, pipes).
 *
 *   const reporter = cliReporter();   // picks by process.stderr.isTTY
 */
import cliProgress from 'cli-progress';
import { describeOutcome, plainReporter, type Reporter } from '../dag/reporter.ts';
import { describeReason } from '../dag/stage-reason.ts';

export function cliReporter(stream: NodeJS.WriteStream = process.stderr): Reporter {
  const write = (line: string) => stream.write(`${line}\n`);
  if (!stream.isTTY) return plainReporter(write);
  const multi = new cliProgress.MultiBar(
    { format: ' {bar} {percentage}% | {value}/{total} items | {stage} | eta {eta_formatted}', hideCursor: true, clearOnComplete: true, stream },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  const log = (line: string) => multi.log(`${line}\n`);
  return {
    stageStart(name, why, items) {
      log(`${name}: running (${describeReason(why)})${items && items.done ? `, resuming at item ${items.done}/${items.total}` : ''}`);
      if (items) bars.set(name, multi.create(items.total, items.done, { stage: name }));
    },
    stageItems(name, done) {
      bars.get(name)?.update(done);
    },
    stageEnd(o) {
      const bar = bars.get(o.name);
      if (bar) {
        multi.remove(bar);
        bars.delete(o.name);
      }
      log(describeOutcome(o));
    },
    message: log,
    close() {
      multi.stop();
    },
  };
}
