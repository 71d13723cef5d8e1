/**
 * `make bench` (extraction part): frames/s on a 720p clip made from samples/a.mp4 (issue 19's
 * goal: >= 24 frames/s for pass 1 and pass 2 together with SSD on this 2-core machine), on the
 * selected backend:
 *  - the detector + 68 landmarks on every frame (SsdMobilenetv1, TinyFaceDetector);
 *  - pass 1 as the extract stage runs it (face/face-follower.ts: the detector with descriptors
 *    every Nth frame, at shot changes and lost faces, landmarks following faces between) at
 *    --detect-every 3 (the default) and 25, with its recall and landmark error against SSD on
 *    every frame (a face found: mean landmark distance under 10% of the face's width);
 *  - `janus extract` whole (pass 1, pass 2 and the stage's own work, from its "done in" line,
 *    models loaded included) with SSD at --detect-every 3 and 25, and at 25 on a 500-frame clip
 *    (20 s: the start-up weighs less); beside each, the whole process's frames/s.
 *
 *   npx tsx test/bench/extract-bench.ts [--frames 100]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clip720p } from './clip-720p.ts';
import { resolveBackendChoice, selectBackend } from '../../src/engine/backend.ts';
import { ExtractConfig } from '../../src/config/extract.ts';
import { FaceFollower } from '../../src/face/face-follower.ts';
import { detectFaces, loadFaceApi, type DetectedFace } from '../../src/face/face-api.ts';
import { decodeFrames } from '../../src/media/decode.ts';

const i = process.argv.indexOf('--frames');
const FRAMES = i > 0 ? Number(process.argv[i + 1]) : 100;
const dir = mkdtempSync(join(tmpdir(), 'janus-bench-extract-'));
try {
  const clip = clip720p(dir, FRAMES);
  const { choice } = resolveBackendChoice();
  const sel = await selectBackend(choice);
  const fa = await loadFaceApi();
  for await (const f of decodeFrames(clip, { maxFrames: 1 })) await detectFaces(fa, f, { detector: 'ssd', minScore: 0.3 }); // warm-up
  const framesPerSecond: Record<string, number> = {};
  const accuracy: Record<string, { recall: number; landmarkError: number }> = {};
  const fps = (n: number, t0: number) => +(n / ((performance.now() - t0) / 1000)).toFixed(2);
  const truth: DetectedFace[][] = [];
  for (const detector of ['ssd', 'tiny'] as const) {
    const t0 = performance.now();
    let n = 0;
    for await (const f of decodeFrames(clip, { thread: true, recycle: true })) {
      const faces = await detectFaces(fa, f, { detector, minScore: 0.3, descriptors: false });
      if (detector === 'ssd') truth.push(faces.filter((x) => x.score >= ExtractConfig.parse({}).minScore));
      n++;
    }
    framesPerSecond[`${detector} every frame`] = fps(n, t0);
  }
  for (const detector of ['ssd', 'tiny'] as const) {
    for (const every of [3, 25]) {
      const follower = new FaceFollower(fa, ExtractConfig.parse({ detector, detectEvery: every }));
      const found: DetectedFace[][] = [];
      const t0 = performance.now();
      for await (const f of decodeFrames(clip, { thread: true, recycle: true })) found.push((await follower.next(f)).faces);
      const label = `${detector} pass 1 (--detect-every ${every})`;
      framesPerSecond[label] = fps(found.length, t0);
      let hits = 0;
      let total = 0;
      let error = 0;
      truth.forEach((faces, t) => {
        for (const g of faces) {
          total++;
          const e = Math.min(...(found[t] ?? []).map((f) => f.landmarks.reduce((s, p, k) => s + Math.hypot(p[0] - g.landmarks[k]![0], p[1] - g.landmarks[k]![1]), 0) / 68 / g.box.width));
          if (e < 0.1) (hits++, (error += e));
        }
      });
      accuracy[label] = { recall: +(hits / Math.max(1, total)).toFixed(3), landmarkError: +(error / Math.max(1, hits)).toFixed(4) };
    }
  }
  /** `janus extract` on a clip: frames/s of the stage (its "done in" line) and of the whole process (start-up included). */
  const extract = (video: string, frames: number, every: number, out: string) => {
    const t0 = performance.now();
    const run = spawnSync('node', ['src/cli/bin.js', 'extract', video, '--out', join(dir, out), '--detect-every', String(every)], { encoding: 'utf8' });
    const whole = (performance.now() - t0) / 1000;
    const s = Number(/extract: done in ([\d.]+)s/.exec(run.stdout + run.stderr)?.[1]);
    if (run.status !== 0 || !(s > 0)) throw new Error(`janus extract failed (exit ${run.status}): ${run.stderr.slice(-2000)}`);
    return { stage: +(frames / s).toFixed(2), whole: +(frames / whole).toFixed(2) };
  };
  const processFramesPerSecond: Record<string, number> = {};
  for (const every of [3, 25]) {
    const r = extract(clip, FRAMES, every, `x${every}`);
    framesPerSecond[`janus extract, ssd (--detect-every ${every}; pass 1 + pass 2)`] = r.stage;
    processFramesPerSecond[`janus extract, ssd (--detect-every ${every}), ${FRAMES} frames`] = r.whole;
  }
  // a 20-s clip: what a longer video sees once start-up (about 2 s: imports, probe, models) is paid
  const LONG = 500;
  const long = extract(clip720p(dir, LONG, 'long'), LONG, 25, 'long');
  framesPerSecond[`janus extract, ssd (--detect-every 25; pass 1 + pass 2), ${LONG} frames`] = long.stage;
  processFramesPerSecond[`janus extract, ssd (--detect-every 25), ${LONG} frames`] = long.whole;
  const stage = long.stage;
  console.log(JSON.stringify({ bench: 'extract', backend: sel.backend, frames: FRAMES, size: '1280x720', framesPerSecond, wholeProcessFramesPerSecond: processFramesPerSecond, accuracyAgainstSsdEveryFrame: accuracy, goal: { [`janus extract with ssd at --detect-every 25 on ${LONG} frames, frames/s`]: 24 }, meetsGoal: stage >= 24 }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
