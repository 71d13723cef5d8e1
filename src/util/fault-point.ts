/**
 * Fault points: named places where the fault suite (`make faults`) has Janus kill itself with
 * SIGKILL, as a power cut or the OOM killer would, to prove that a rerun ends byte-identical to an
 * uninterrupted run. Off unless `JANUS_FAULT_KILL` names a point; a no-op costing one lookup.
 *
 *   faultPoint('composite.segment');              // in the code, where a kill is worth proving
 *   JANUS_FAULT_KILL=composite.segment@2 janus run pipelines/swap.yaml ...   // dies the 2nd time there
 *
 * `JANUS_FAULT_KILL=NAME` kills the first time NAME is reached, `NAME@N` the N-th time;
 * `JANUS_FAULT_KILL_GROUP=1` kills the whole process group instead (a `janus worker` and its
 * jobs' child processes, as a machine's death would: the queue tests). Every
 * point is listed in FAULT_POINTS with what is half-done when it fires. `JANUS_FAULT_NAN=3,7`
 * makes training's loss NaN at those iterations (faultNaNIterations), to prove its recovery
 * through the real CLI.
 */

export const FAULT_POINTS = {
  'dag.stage-started': 'a stage is recorded as started in the state database; nothing of it is done',
  'dag.item-written': "an item's outputs are in place, its record in the state database is not",
  'dag.stage-written': "a stage's outputs are all written, the stage is not recorded as done",
  'dag.state-transaction': 'inside the state database transaction that records a stage as done',
  'atomic.before-rename': 'a file is complete under its temp name, not yet renamed into place',
  'extract.pass1': "a frame's faces are detected, its detections file is not yet written",
  'extract.pass2': 'part of the aligned faces and masks are written (pass 2: tracks, identity, alignment)',
  'train.step': 'a training step is applied in memory, not saved',
  'train.checkpoint': "a checkpoint's files are written in its temp folder, not yet renamed",
  'train.best': "best-<iteration> is copied, the best link is not yet swapped",
  'swap.batch': 'a batch of faces is swapped, not yet written',
  'composite.segment': "a segment's videos are encoded, its record is not yet written",
  'composite.concat': 'output.mp4 is joined from the segments; the mask and comparison videos are not',
  'metrics.scored': 'the swapped faces are scored, metrics.json is not yet written',
  'report.written': 'the report is being assembled (latent map and figures made), not yet written',
  'ladder.rung': 'one rung of the compression ladder is encoded, the others are not',
  'benchmark.planned': "the benchmark's plan files are written, no stage has run",
  'assemble.copied': 'part of the dataset (real videos) is in place, the fakes and metadata are not',
  'assemble.metadata': "the dataset's files are in place, metadata.json and the card are not",
  'gather.faces': "an identity's faces are being gathered for training, not all are in place",
} as const;

export type FaultPointName = keyof typeof FAULT_POINTS;

const wanted = parse(process.env.JANUS_FAULT_KILL);
let reached = 0;

function parse(spec: string | undefined): { name: string; nth: number } | null {
  if (!spec) return null;
  const m = /^([a-z0-9.-]+)(?:@(\d+))?$/.exec(spec);
  if (!m || !(m[1]! in FAULT_POINTS)) throw new Error(`JANUS_FAULT_KILL="${spec}": expected NAME or NAME@N with NAME one of ${Object.keys(FAULT_POINTS).join(', ')}`);
  return { name: m[1]!, nth: m[2] ? Math.max(1, Number(m[2])) : 1 };
}

/** SIGKILL this process here when JANUS_FAULT_KILL asks for this point (and this is the N-th time). */
export function faultPoint(name: FaultPointName): void {
  if (wanted?.name !== name) return;
  if (++reached < wanted.nth) return;
  process.kill(process.env.JANUS_FAULT_KILL_GROUP === '1' ? 0 : process.pid, 'SIGKILL');
}

/** Iterations at which JANUS_FAULT_NAN asks training to see a NaN loss (none when unset). */
export function faultNaNIterations(): number[] {
  const spec = process.env.JANUS_FAULT_NAN;
  if (!spec) return [];
  const its = spec.split(',').map((x) => Number(x.trim()));
  if (!its.every((n) => Number.isInteger(n) && n >= 1)) throw new Error(`JANUS_FAULT_NAN="${spec}": expected iterations, e.g. 3 or 3,7`);
  return its;
}
