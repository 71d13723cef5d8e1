/**
 * The memory of reading a long video's alignments as the composite stage reads them (a frame at
 * a time, keeping the kept faces): `write` makes a FRAMES-frame alignments file from a real
 * extraction's frames repeated (a 10-minute video: 15,000), `read` reads it and prints one JSON
 * line with the process's peak RSS. The memory bench runs each in a process of its own.
 *
 *   npx tsx test/bench/alignments-rss.ts write EXTRACT_DIR/alignments.json FRAMES OUT.json
 *   npx tsx test/bench/alignments-rss.ts read OUT.json
 */
import { statSync } from 'node:fs';
import { readAlignments, writeAlignments } from '../../src/face/alignments-file.ts';
import { readKeptFacesByFrame } from '../../src/swap/kept-faces.ts';

const [mode, ...args] = process.argv.slice(2);
if (mode === 'write') {
  const [from, count, out] = args as [string, string, string];
  const doc = readAlignments(from);
  const frames = Array.from({ length: Number(count) }, (_, i) => ({ ...doc.frames[i % doc.frames.length]!, index: i, time: i / 25 }));
  await writeAlignments(out, { ...doc, video: { ...doc.video, frameCount: frames.length }, frames });
} else if (mode === 'read') {
  const file = args[0]!;
  const t0 = performance.now();
  const { header, byFrame } = readKeptFacesByFrame(file);
  console.log(JSON.stringify({ frames: header.video.frameCount, framesWithAKeptFace: byFrame.size, fileMb: Math.round(statSync(file).size / 2 ** 20), seconds: +((performance.now() - t0) / 1000).toFixed(1), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
} else {
  throw new Error(`expected "write" or "read", got ${JSON.stringify(mode)}`);
}
