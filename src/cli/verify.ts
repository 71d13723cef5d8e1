/**
 * `janus verify RUN`: recompute the stages of a finished run in a scratch folder (recorded
 * inputs, params and pinned budgets) and print one row per stage and output: identical, or
 * where it differs (file, byte, frame, PSNR) and what differs in the environment.
 *
 *   npx janus verify runs/demo
 *   npx janus verify runs/demo --stage swap --json
 *
 * Exit 0 when every verified output is identical, 1 when one differs or a stage could not be
 * verified, 2 for a mistake in the arguments (not a run folder), 130 when interrupted.
 */
import { describePins } from '../dag/pins.ts';
import { resolveBackendChoice } from '../engine/backend-request.ts';
import { graceful, ungraceful } from '../util/signals.ts';
import type { Difference } from '../util/environment.ts';
import type { FileDifference } from '../verify/compare.ts';
import { readKit } from '../verify/kit.ts';
import { checkAgainstKit, verifyRun, type StageVerdict, type VerifyReport } from '../verify/verify.ts';
import type { VerifyOpts } from './commands.ts';
import { resolveRun } from './run-folder.ts';

const db = (p: number) => (p === Infinity ? 'pixels equal' : `PSNR ${p.toFixed(1)} dB`);

/** One difference in words: where, and how much. */
export function describeDifference(d: FileDifference): string {
  const where = d.file || 'the file';
  if (d.kind === 'missing') return `${where}: not recomputed`;
  if (d.kind === 'extra') return `${where}: recomputed, not in the run`;
  if (d.frame !== undefined) return `${where}: frame ${d.frame} differs (${db(d.psnr!)}; ${d.framesDiffering} of ${d.frames} frames differ; first byte ${d.offset})`;
  if (d.offset === undefined) return `${where}: differs`;
  return `${where}: byte ${d.offset} differs${d.psnr !== undefined ? ` (${db(d.psnr)})` : ''}`;
}

const diffText = (d: Difference) => `${d.what} ${d.recorded} -> ${d.now}`;

function stageRows(s: StageVerdict): string[][] {
  if (!s.outputs.length) return [[s.stage, '', s.verdict === 'not-verified' ? `NOT VERIFIED: ${s.reason}` : `DIFFERS: ${s.reason}`]];
  return s.outputs.map((o, i) => {
    const c = o.comparison!;
    let text: string;
    if (c.identical) text = `identical (${c.files} file${c.files === 1 ? '' : 's'}${c.normalised ? `; ${c.normalised} equal once the clock's records and the folder's path are set aside` : ''})`;
    else {
      const n = c.differences.length;
      text = `DIFFERS: ${describeDifference(c.first!)}${n > 1 ? `; ${n} of ${c.files + c.differences.filter((d) => d.kind === 'extra').length} files differ` : ''}`;
    }
    if (o.changedSinceRun) text += ' (changed since the run recorded it)';
    return [i === 0 ? s.stage : '', o.name, text];
  });
}

export function printReport(r: VerifyReport, write: (s: string) => void): void {
  write(`verify ${r.run}\n`);
  write(r.environment.length ? `environment differs from the run's: ${r.environment.map(diffText).join('; ')}\n` : "environment: the run's (node, platform, CPU features, ffmpeg, packages, settings)\n");
  const rows = [['STAGE', 'OUTPUT', 'RESULT'], ...r.stages.flatMap(stageRows)];
  const w = [0, 1].map((c) => Math.max(...rows.map((row) => row[c]!.length)));
  for (const row of rows) write(`${row[0]!.padEnd(w[0]!)}  ${row[1]!.padEnd(w[1]!)}  ${row[2]}\n`);
  for (const s of r.stages) {
    if (Object.keys(s.pinned).length) write(`${s.stage}: pinned to what the run did: ${describePins(s.pinned)}\n`);
    if (s.differences.length) write(`${s.stage}: computed differently: ${s.differences.map(diffText).join('; ')}\n`);
  }
  const bad = r.stages.filter((s) => s.verdict !== 'identical');
  if (!bad.length) {
    const outputs = r.stages.reduce((n, s) => n + s.outputs.length, 0);
    write(`all identical: ${r.stages.length} stage${r.stages.length === 1 ? '' : 's'}, ${outputs} output${outputs === 1 ? '' : 's'}\n`);
    return;
  }
  write(`${bad.length} of ${r.stages.length} stages not identical: ${bad.map((s) => s.stage).join(', ')}\n`);
  const changed = bad.flatMap((s) => s.outputs.filter((o) => o.changedSinceRun).map((o) => `${s.stage} ${o.name}`));
  if (changed.length) write(`likely why: the run's files changed after it recorded them (edited, damaged or replaced): ${changed.join(', ')}\n`);
  const machine = [...r.environment, ...bad.flatMap((s) => s.differences)];
  if (machine.length) write(`${changed.length ? 'also differs' : 'likely why'}: ${machine.map(diffText).join('; ')}\n`);
}

export async function run([dir]: string[], opts: VerifyOpts): Promise<number> {
  const { pipeline, workdir } = await resolveRun({ workdir: dir! });
  if (opts.expect) {
    const report = checkAgainstKit(workdir, pipeline, readKit(opts.expect));
    if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else printReport(report, (s) => process.stdout.write(s));
    return report.identical ? 0 : 1;
  }
  const signal = graceful();
  try {
    const verifying = verifyRun({
      workdir,
      pipeline,
      ...(opts.stage ? { stages: opts.stage } : {}),
      ...(opts.backend ? { backend: resolveBackendChoice(opts.backend) } : {}),
      keep: opts.keep,
      signal,
      progress: opts.json ? undefined : (line) => process.stderr.write(`${line}\n`),
    });
    const report = await verifying.catch((err: unknown) => {
      if (signal.aborted) return null; // Ctrl-C: the recomputation stopped (Interrupted)
      throw err;
    });
    if (!report || signal.aborted) return 130;
    if (opts.json) process.stdout.write(`${JSON.stringify(report, (_k, v) => (v === Infinity ? 'Infinity' : v), 2)}\n`);
    else printReport(report, (s) => process.stdout.write(s));
    return report.identical ? 0 : 1;
  } finally {
    ungraceful();
  }
}
