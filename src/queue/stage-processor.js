// The sandboxed processor of `janus worker`: BullMQ runs each job in a child process that
// imports this file (a busy tfjs step never blocks the job lock's renewal in the worker).
// It registers tsx, as the janus executable does, and hands the job to stage-job.ts.
import { register } from 'tsx/esm/api';

register();
// a worker killed (SIGKILL, OOM) closes this channel: stop at once rather than write on, unseen,
// beside the worker that redoes the job
process.on('disconnect', () => process.exit(1));
const { processStageJob } = await import('./stage-job.ts');

// the signal: BullMQ aborts it when the worker cancels the job (its lock was lost: another worker has it)
export default async function processJob(job, _token, signal) {
  return processStageJob(job, signal);
}
