// The sandboxed processor of `janus worker`: BullMQ runs each job in a child process that
// imports this file (a busy tfjs step never blocks the job lock's renewal in the worker).
// It registers tsx, as the janus executable does, and hands the job to stage-job.ts.
import { register } from 'tsx/esm/api';

register();
const { processStageJob } = await import('./stage-job.ts');

export default async function process(job) {
  return processStageJob(job);
}
