/**
 * The model folder a training command writes (`janus train --out`, `janus pretrain --out`):
 * refused when it holds files Janus did not make (unless --force), then locked for the run, and
 * the temp folders a killed save left there removed (only under the lock: another run's save in
 * progress is never touched); the lock is released whatever happens. And how such a command
 * ends: its last line and exit code (trainingEnd).
 *
 *   return withModelFolder(out, force, `janus train --out ${out}`, () => trainInto(out));
 *   return trainingEnd(await train(...));
 */
import { acquireRunLock, staleLockNote } from '../dag/lock.ts';
import { removeTempFiles } from '../dag/run-folder.ts';
import { isModelFolder } from '../model/checkpoint.ts';
import { NAN_STOP_FIX, trainingExitCode, type TrainResult } from '../train/trainer.ts';
import { refuseForeignFolder } from '../util/foreign-folder.ts';

export async function withModelFolder<T>(out: string, force: boolean, command: string, work: () => Promise<T>): Promise<T> {
  refuseForeignFolder(out, { what: 'model folder', isOurs: isModelFolder, escape: '--force', force }); // before the lock makes it look like Janus's
  const lock = acquireRunLock(out, command);
  const note = staleLockNote(lock);
  if (note) process.stderr.write(`${note}\n`);
  try {
    removeTempFiles(out); // what a killed save left (a checkpoint is written aside and renamed whole)
    return await work();
  } finally {
    lock.release();
  }
}

/** Print how training ended (a loss that stayed NaN/Inf: an error with the fix, on stderr) and give the exit code. */
export function trainingEnd(r: Pick<TrainResult, 'stoppedBy' | 'message' | 'checkpoint'>): number {
  if (r.stoppedBy === 'nan') process.stderr.write(`janus: ${r.message}\n  fix: ${NAN_STOP_FIX}\n`);
  else process.stdout.write(`${r.message}; checkpoint ${r.checkpoint ?? 'none'}\n`);
  return trainingExitCode(r.stoppedBy);
}
