/**
 * A process that runs one long ffmpeg through src/media/ffmpeg.ts (60 s of a test pattern at
 * real-time speed) and says "started" on stdout: test/cli/lock-signals.test.ts kills it with
 * SIGKILL and checks that its ffmpeg dies with it.
 *
 *   node --import tsx test/helpers/long-ffmpeg.ts
 */
import { runFfmpeg } from '../../src/media/ffmpeg.ts';

process.stdout.write('started\n');
await runFfmpeg(['-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=32x32:rate=10:duration=60', '-f', 'null', '-'], 'a long ffmpeg');
