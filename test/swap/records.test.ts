/**
 * The swap's records read back validated: swap.json, composite.json, the composite segment
 * stats and metrics.json, each written by its writer; damaged copies (a wrong type, a missing
 * field, a bad choice, cut short) are UserErrors naming the file and the field, not TypeErrors.
 */
import { basename, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { modelArchitecture } from '../../src/config/model.ts';
import { CompositeConfig, SwapConfig } from '../../src/config/swap.ts';
import { COMPOSITE_SCHEMA, readCompositeRecord, readSegmentStats, writeCompositeRecord, writeSegmentStats, type CompositeRecord } from '../../src/swap/composite-record.ts';
import { METRICS_SCHEMA, readMetrics, writeMetrics, type SwapMetrics } from '../../src/swap/metrics-file.ts';
import { LEARNED_MASKS, readSwapRecord, writeSwapRecord, type SwapRecord } from '../../src/swap/swap-record.ts';
import { assertFileError, editedCopy, truncatedCopy } from '../helpers/corrupt.ts';
import { tempDir } from '../helpers/fixtures.ts';

const test = suite('swap/records');
const tmp = tempDir('swap-records');
test.after(() => tmp.cleanup());

const swap: SwapRecord = {
  schema: 'janus.swap/1',
  direction: 'a-to-b',
  params: SwapConfig.parse({}),
  alignments: '/runs/x/a/alignments.json',
  faces: 12,
  model: { folder: '/runs/x/model', checkpoint: '/runs/x/model/checkpoints/ckpt-000000020', iteration: 20, arch: modelArchitecture('tiny', 'transpose', true), fingerprint: 'f'.repeat(64) },
  learnedMasks: LEARNED_MASKS,
};
const composite: CompositeRecord = { schema: COMPOSITE_SCHEMA, frames: { total: 5, swapped: 4, skipped: 1 }, swappedFrames: [0, 1, 2, 4], segments: 1, params: CompositeConfig.parse({}) };
const d = { faces: 3, mean: 0.5, median: 0.5, min: 0.4, max: 0.6 };
const metrics: SwapMetrics = {
  schema: METRICS_SCHEMA,
  direction: 'a-to-b',
  identities: { source: 'a', target: 'b' },
  model: { iteration: 20, fingerprint: 'f'.repeat(64), preset: 'tiny' },
  identity: { what: 'x', threshold: 0.6, swapped: { toSource: d, toTarget: d, closerToTarget: 0.5 }, originals: null, identityChanged: true },
  reconstruction: { what: 'y', a: { faces: 3, psnr: 20, ssim: 0.5 }, b: null },
  frames: { total: 5, swapped: 4, skipped: 1 },
  sample: { source: 3, target: 3 },
  flicker: { what: 'z', output: 2.2, source: 2, ratio: 1.1, pairs: 4 },
};

/** `<tmp>/<name>/<file's name>`: where a damaged copy of `file` goes. */
const copyOf = (name: string, file: string) => join(tmp.dir, name, basename(file));

test('swap.json: read back as written; damaged copies name the file and the field', async () => {
  const dir = join(tmp.dir, 'swapped');
  await writeSwapRecord(dir, swap);
  assert.equal(readSwapRecord(dir), swap);
  const f = join(dir, 'swap.json');
  const direction = editedCopy(f, copyOf('s-direction', f), (x) => void (x.direction = 'sideways'));
  assertFileError(() => readSwapRecord(join(direction, '..')), direction, /is not a valid janus\.swap\/1 file: direction: expected one of a-to-b\|b-to-a, got "sideways"/);
  const arch = editedCopy(f, copyOf('s-arch', f), (x) => void delete x.model.arch.inputSize);
  assertFileError(() => readSwapRecord(join(arch, '..')), arch, /model\.arch\.inputSize: missing \(expected a number\)/);
  const faces = editedCopy(f, copyOf('s-faces', f), (x) => void (x.faces = '12'));
  assertFileError(() => readSwapRecord(join(faces, '..')), faces, /faces: expected a number, got "12"/);
  const cut = truncatedCopy(f, copyOf('s-cut', f));
  assertFileError(() => readSwapRecord(join(cut, '..')), cut, /cannot read janus\.swap\/1 file ".*swap\.json": not valid JSON/);
  assert.throws(() => readSwapRecord(join(tmp.dir, 'none')), /swap\.json is missing: the swap stage did not finish/);
});

test('composite.json and segment stats: read back as written; damaged copies name the file and the field', async () => {
  const f = join(tmp.dir, 'run', 'composite.json');
  await writeCompositeRecord(f, composite);
  assert.equal(readCompositeRecord(f), composite);
  const frames = editedCopy(f, copyOf('c-frames', f), (x) => void (x.swappedFrames[2] = 'two'));
  assertFileError(() => readCompositeRecord(frames), frames, /is not a valid janus\.composite\/1 file: swappedFrames\.2: expected a number, got "two"/);
  const params = editedCopy(f, copyOf('c-params', f), (x) => void (x.params.colour = 'sepia'));
  assertFileError(() => readCompositeRecord(params), params, /params\.colour: expected one of none\|rct\|hist, got "sepia"/);
  const total = editedCopy(f, copyOf('c-total', f), (x) => void delete x.frames.total);
  assertFileError(() => readCompositeRecord(total), total, /frames\.total: missing \(expected a number\)/);
  const cut = truncatedCopy(f, copyOf('c-cut', f));
  assertFileError(() => readCompositeRecord(cut), cut, /not valid JSON/);
  const seg = join(tmp.dir, 'run', 'segments', '000000.json');
  await writeSegmentStats(seg, { first: 0, frames: 5, swapped: [0, 1, 2, 4] });
  assert.equal(readSegmentStats(seg), { first: 0, frames: 5, swapped: [0, 1, 2, 4] });
  const first = editedCopy(seg, copyOf('seg-first', seg), (x) => void (x.first = -1));
  assertFileError(() => readSegmentStats(first), first, /is not a valid composite segment stats file: first: expected >= 0, got -1/);
});

test('metrics.json: read back as written; damaged copies name the file and the field', async () => {
  const f = join(tmp.dir, 'run', 'metrics.json');
  await writeMetrics(f, metrics);
  assert.equal(readMetrics(f), metrics);
  const share = editedCopy(f, copyOf('m-share', f), (x) => void (x.identity.swapped.closerToTarget = 'abc'));
  assertFileError(() => readMetrics(share), share, /is not a valid janus\.metrics\/2 file: identity\.swapped\.closerToTarget: expected a number, got "abc"/);
  const old = editedCopy(f, copyOf('m-old', f), (x) => void (x.schema = 'janus.metrics/1'));
  assertFileError(() => readMetrics(old), old, /schema: expected "janus\.metrics\/2", got "janus\.metrics\/1"/);
  const cut = truncatedCopy(f, copyOf('m-cut', f));
  assertFileError(() => readMetrics(cut), cut, /cannot read janus\.metrics\/2 file ".*metrics\.json": not valid JSON/);
  // the benchmark's gate reads the median: a record without it is refused, naming the field
  const noMedian = editedCopy(f, copyOf('m-median', f), (x) => void delete x.identity.swapped.toTarget.median);
  assertFileError(() => readMetrics(noMedian), noMedian, /identity\.swapped\.toTarget\.median/);
});

test.run();
