/**
 * `make bench` (extraction part): frames/s of pass 1 on a 720p clip made from samples/a.mp4,
 * for SsdMobilenetv1 and TinyFaceDetector on the selected backend: the detector + 68 landmarks
 * on every frame, and what the extract stage does (detection + descriptors every 3rd frame,
 * faces followed by their landmarks between). Goal (issue 4): >= 5 frames/s with
 * SsdMobilenetv1 + landmarks on this 2-core machine with wasm.
 *
 *   npx tsx test/bench/extract-bench.ts [--frames 50]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clip720p } from './clip-720p.ts';
import { resolveBackendChoice, selectBackend } from '../../src/engine/backend.ts';
import { ExtractConfig } from '../../src/config/extract.ts';
import { detectFrame, type FrameDetections } from '../../src/face/extract.ts';
import { detectFaces, loadFaceApi } from '../../src/face/face-api.ts';
import { decodeFrames, prefetch, type Frame } from '../../src/media/decode.ts';

const i = process.argv.indexOf('--frames');
const FRAMES = i > 0 ? Number(process.argv[i + 1]) : 50;
const dir = mkdtempSync(join(tmpdir(), 'janus-bench-extract-'));
try {
  const clip = clip720p(dir, FRAMES);
  const { choice } = resolveBackendChoice();
  const sel = await selectBackend(choice);
  const fa = await loadFaceApi();
  const results: Record<string, number> = {};
  const time = async (label: string, work: (f: Frame, prev: FrameDetections | null) => Promise<FrameDetections | null>) => {
    for await (const f of decodeFrames(clip, { maxFrames: 1 })) await work(f, null); // warm-up
    const t0 = performance.now();
    let n = 0;
    let prev: FrameDetections | null = null;
    for await (const f of prefetch(decodeFrames(clip))) {
      prev = await work(f, prev);
      n++;
    }
    results[label] = +(n / ((performance.now() - t0) / 1000)).toFixed(2);
  };
  for (const detector of ['ssd', 'tiny'] as const) {
    // the detector and 68 landmarks on every frame
    await time(`${detector} every frame`, async (f) => {
      await detectFaces(fa, f, { detector, minScore: 0.3, descriptors: false });
      return null;
    });
    // what the extract stage does: detect (+ descriptors) every 3rd frame, follow by landmarks between
    const cfg = ExtractConfig.parse({ detector, detectEvery: 3 });
    await time(`${detector} stage (detect every 3, descriptors)`, (f, prev) => detectFrame(fa, f, cfg, prev?.faces ?? null));
  }
  const stage = results['ssd stage (detect every 3, descriptors)'] ?? 0;
  console.log(JSON.stringify({ bench: 'extract-pass1', backend: sel.backend, frames: FRAMES, size: '1280x720', framesPerSecond: results, goal: { 'ssd + landmarks, frames/s': 5 }, meetsGoal: stage >= 5 }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
