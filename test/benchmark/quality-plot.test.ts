/**
 * The dataset card's per-fake quality: the table's n, min, median, mean and max on a known input
 * (nulls and NaN left out, a null-only measure "not measured"), Mask-SSIM beside the published
 * datasets (FF++ 0.81, DFDC preview 0.84, Celeb-DF 0.92, cited); the PNG decodes at its size,
 * draws the reference lines in the Mask-SSIM panel only when there is a Mask-SSIM, and the
 * same records give the same bytes.
 */
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { QUALITY_PLOT_SIZE, qualityPlotPng, qualityPlotSvg, qualityTable, summarise, type FakeQuality } from '../../src/benchmark/quality-plot.ts';

const test = suite('benchmark/quality-plot');

const records: FakeQuality[] = [
  { identityShare: 0.2, identityMargin: -0.1, maskSsim: 0.9375, flicker: null, framesSwappedShare: 1 },
  { identityShare: 0.4, identityMargin: 0.1, maskSsim: 0.75, flicker: null, framesSwappedShare: 0.5 },
  { identityShare: 1, identityMargin: 0.3, maskSsim: 0.96875, flicker: null, framesSwappedShare: 0.25 },
  { identityShare: null, identityMargin: 0.5, maskSsim: 0.5, flicker: null, framesSwappedShare: 0.75 },
];

test('summarise: n, min, median (middle two averaged), mean, max; nulls and NaN left out', () => {
  assert.equal(summarise([3, null, 1, 2, NaN]), { n: 3, min: 1, median: 2, mean: 2, max: 3 });
  assert.equal(summarise([4, 1, 3, 2]), { n: 4, min: 1, median: 2.5, mean: 2.5, max: 4 });
  assert.is(summarise([null, null]), null);
  assert.is(summarise([]), null);
});

test('the table: each measure on a known input, a null-only measure not measured', () => {
  const md = qualityTable(records);
  assert.ok(md.includes('| measure | n | min | median | mean | max |'), md);
  assert.ok(md.includes('| identity share | 3 | 0.200 | 0.400 | 0.533 | 1.000 |'), md);
  assert.ok(md.includes('| identity margin | 4 | -0.100 | 0.200 | 0.200 | 0.500 |'), md);
  assert.ok(md.includes('| Mask-SSIM | 4 | 0.500 | 0.844 | 0.789 | 0.969 |'), md); // median (0.75 + 0.9375) / 2, mean 3.15625 / 4
  assert.ok(md.includes('| flicker ratio | 0 | not measured | | | |'), md);
  assert.ok(md.includes('| frames swapped share | 4 | 0.250 | 0.625 | 0.625 | 1.000 |'), md);
});

test('Mask-SSIM beside the published datasets, cited; not measured when no fake has one', () => {
  const md = qualityTable(records);
  assert.ok(md.includes('Mask-SSIM beside published datasets'), md);
  assert.ok(md.includes('| this dataset, mean over 4 fakes | 0.789 |'), md);
  assert.ok(md.includes('| this dataset, median over 4 fakes | 0.844 |'), md);
  for (const row of ['| FaceForensics++ Deepfakes (FF-DF) | 0.81 |', '| DFDC preview | 0.84 |', '| Celeb-DF | 0.92 |']) assert.ok(md.includes(row), row);
  assert.match(md, /Li, .*Celeb-DF: A Large-scale Challenging Dataset for DeepFake Forensics", CVPR 2020, Table 2/);
  const none = qualityTable(records.map((r) => ({ ...r, maskSsim: null })));
  assert.ok(none.includes('| this dataset | not measured |'), none);
  assert.ok(none.includes('| Mask-SSIM | 0 | not measured | | | |'), none);
  assert.ok(none.includes('| Celeb-DF | 0.92 |'), 'the published values stay');
  const empty = qualityTable([]);
  assert.is((empty.match(/not measured/g) ?? []).length, 6, empty);
});

/** Pixels of the PNG that are the reference lines' red, inside a rectangle. */
async function redPixels(png: Buffer, x0: number, y0: number, x1: number, y1: number): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
    const i = (y * info.width + x) * 3;
    if (data[i]! > 170 && data[i + 1]! < 90 && data[i + 2]! < 90) n++;
  }
  return n;
}

test('the PNG decodes at its size; the Mask-SSIM panel has its reference lines; same records, same bytes', async () => {
  const png = await qualityPlotPng(records);
  const meta = await sharp(png).metadata();
  assert.is(meta.format, 'png');
  assert.is(meta.width, QUALITY_PLOT_SIZE.width);
  assert.is(meta.height, QUALITY_PLOT_SIZE.height);
  assert.ok(Buffer.compare(png, await qualityPlotPng(records.map((r) => ({ ...r })))) === 0, 'same records, same bytes');
  assert.ok(Buffer.compare(png, await qualityPlotPng(records.slice(1))) !== 0, 'other records, other bytes');

  const svg = qualityPlotSvg(records);
  for (const label of ['FF++ DF 0.81', 'DFDC-p 0.84', 'Celeb-DF 0.92', 'Mask-SSIM (n = 4)', 'flicker ratio', 'not measured']) assert.ok(svg.includes(label), label);
  // the Mask-SSIM panel is the top right one; no Mask-SSIM, no lines there (and no red elsewhere in that cell)
  const cell = [640, 40, 960, 300] as const;
  assert.ok((await redPixels(png, ...cell)) > 100, 'red reference lines in the Mask-SSIM panel');
  const without = await qualityPlotPng(records.map((r) => ({ ...r, maskSsim: null })));
  assert.is(await redPixels(without, ...cell), 0);
  const blank = await sharp(await qualityPlotPng([])).metadata();
  assert.is(blank.width, QUALITY_PLOT_SIZE.width, 'no fakes: still a picture');
});

test.run();
