/**
 * A racer for test/dag/lock.test.ts: a child process that, for each line `<dir> <at-ms>` on
 * stdin, waits until the wall clock reaches at-ms (so two racers start within a fraction of a
 * millisecond), tries to take the lock of <dir> and prints `won <dir>` or `lost <dir>`; a line
 * `release` releases what it holds. Only src/dag/lock.ts is loaded, so it starts fast.
 *
 *   node --import tsx test/dag/lock-racer.ts   # then: "/tmp/x 1767225600000.5\n", "release\n"
 */
import { createInterface } from 'node:readline';
import { acquireRunLock, type RunLock } from '../../src/dag/lock.ts';

const held: RunLock[] = [];
const now = () => performance.timeOrigin + performance.now();
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'release') {
    for (const l of held.splice(0)) l.release();
    process.stdout.write('released\n');
    continue;
  }
  const [dir, at] = line.split(' ');
  while (now() < Number(at)); // spin: both racers leave this loop at the same instant
  try {
    held.push(acquireRunLock(dir!, `racer ${process.pid}`));
    process.stdout.write(`won ${dir}\n`);
  } catch (err) {
    process.stdout.write(`lost ${dir} ${(err as Error).message.split('\n')[0]}\n`);
  }
}
