/**
 * The per-pixel WebAssembly kernels (src/media/pixel-kernels.wat) give the bytes of the
 * JavaScript that defines them: the embedded binary is what the .wat compiles to; the blend
 * equals test/helpers/blend-face.ts's blendFace on a real face (turned, scaled, half off the frame, in place,
 * and on exact halves where Math.round rounds up), writing nothing where the alpha is 0; rct
 * equals rctReference on a real face darkened and brightened past the gamut, with and without
 * its mask and its needed pixels, and on every eighth colour of the RGB cube; and so, bit for
 * bit, do its two conversions alone (every eighth colour to Lab; Lab back, scaled past the gamut,
 * and a million random Lab values), and its cube root is Math.cbrt's; the warp equals
 * warpAffineJs's replicated border (a real face, turned, past the frame's edges, only some pixels;
 * a tiny source; maps not finite or past 2^53; an `into` not zero), and an odd-sized masked crop.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { alignFace } from '../../src/face/align.ts';
import { detectFaces } from '../../src/face/face-api.ts';
import { extendedMask } from '../../src/face/mask.ts';
import { readFrame } from '../../src/media/decode.ts';
import { composeAffine, invertAffine, similarity, warpAffineJs } from '../../src/media/warp-affine.ts';
import type { Affine, RgbImage } from '../../src/util/geometry.ts';
import { blendFace } from '../helpers/blend-face.ts';
import { COLOUR_METHODS, labOf, rctReference, rgbOfLab } from '../../src/swap/colour.ts';
import { feather } from '../../src/swap/composite.ts';
import { blendFaceWasm, pixelKernels, warpWasm, type BlendJob } from '../../src/media/pixel-kernels.ts';
import { PIXEL_KERNELS } from '../../src/media/pixel-kernels-binary.ts';
import { compilePixelKernels } from '../../src/engine/wasm-simd-build.ts';
import { SAMPLE_A, requireSamples } from '../helpers/fixtures.ts';
import { faceApi } from '../helpers/faces.ts';

const test = suite('media/pixel-kernels');
test.before(() => requireSamples());

let real: { frame: RgbImage; aligned: ReturnType<typeof alignFace>; mask: ReturnType<typeof extendedMask> } | null = null;
async function setup() {
  if (real) return real;
  const frame = await readFrame(SAMPLE_A, 50);
  const [face] = await detectFaces(await faceApi(), frame, { detector: 'ssd', minScore: 0.5, descriptors: false });
  const aligned = alignFace(frame, face!.landmarks, { size: 256, coverage: 1.6 });
  real = { frame, aligned, mask: extendedMask(aligned.landmarks, 256) };
  return real;
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
function firstDifference(a: Uint8Array, b: Uint8Array): string {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return `byte ${i}: ${a[i]} against ${b[i]}`;
  return 'none';
}

test('the embedded binary is what pixel-kernels.wat compiles to (make wasm-simd)', async () => {
  assert.is(Buffer.from(await compilePixelKernels()).toString('base64'), PIXEL_KERNELS, 'run make wasm-simd');
});

/** Both blends on copies of the same job: the frame written and the replaced mask, compared. */
function compareBlends(what: string, job: Omit<BlendJob, 'out' | 'replaced'> & { inPlace?: boolean }): number {
  const run = (fn: (j: BlendJob) => void) => {
    const src = new Uint8Array(job.src);
    const out = job.inPlace ? src : Uint8Array.from(job.src, (v) => 255 - v);
    const replaced = new Uint8Array(src.length / 3).fill(7); // written only where the alpha is above 0
    fn({ ...job, src, out, replaced });
    return { out, replaced };
  };
  const js = run(blendFace);
  const wasm = run(blendFaceWasm);
  assert.ok(same(js.out, wasm.out), `${what}: the frame differs at ${firstDifference(js.out, wasm.out)}`);
  assert.ok(same(js.replaced, wasm.replaced), `${what}: the replaced mask differs at ${firstDifference(js.replaced, wasm.replaced)}`);
  return js.replaced.reduce((s, v) => s + (v !== 7 ? 1 : 0), 0);
}

test('the blend: the same bytes as blendFace on a real face, turned, scaled, half off the frame and in place', async () => {
  const { frame, aligned, mask } = await setup();
  const alpha = feather(mask, 6);
  const everyColumn = (y: number, range: [number, number]) => {
    range[0] = 0;
    range[1] = frame.width - 1;
  };
  const someColumns = (y: number, range: [number, number]) => {
    range[0] = (y * 7) % 300;
    range[1] = Math.min(frame.width - 1, range[0] + 500 - (y % 50) * 9);
  };
  const matrices: Array<[string, Affine]> = [
    ['aligned', aligned.matrix],
    ['turned and scaled', composeAffine(similarity(1.3, 0.5, 20, -30), aligned.matrix)],
    ['half off the frame', composeAffine(similarity(0.8, -0.3, -200, 90), aligned.matrix)],
  ];
  for (const [name, matrix] of matrices) {
    for (const inPlace of [false, true]) {
      for (const [cols, columns] of [['every column', everyColumn], ['ragged rows', someColumns]] as const) {
        const blended = compareBlends(`${name}, ${cols}${inPlace ? ', in place' : ''}`, { src: frame.data, width: frame.width, rgb: aligned.image.data, alpha, size: 256, matrix, y0: 0, y1: frame.height - 1, columns, inPlace });
        assert.ok(blended > 2000, `${name}: ${blended} pixels blended`);
      }
    }
  }
  // rows past the frame's are never visited: a band of rows only
  compareBlends('a band of rows', { src: frame.data, width: frame.width, rgb: aligned.image.data, alpha, size: 256, matrix: aligned.matrix, y0: 200, y1: 260, columns: everyColumn });
});

test('the blend on exact halves: Math.round rounds them up, and alpha 0 writes nothing', () => {
  // a 16x16 crop placed at whole-pixel offsets (bilinear weights 1 and 0), alpha 0.5 or 0, odd sums
  const size = 16;
  const width = 40;
  const height = 30;
  const src = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37) % 256);
  const rgb = Uint8Array.from({ length: size * size * 3 }, (_, i) => (i * 11 + 1) % 256);
  const alpha = Float32Array.from({ length: size * size }, (_, i) => (i % 5 === 0 ? 0 : i % 3 === 0 ? 1 : 0.5));
  const matrix: Affine = [1, 0, -7, 0, 1, -5];
  const columns = (y: number, range: [number, number]) => {
    range[0] = 0;
    range[1] = width - 1;
  };
  const blended = compareBlends('halves', { src, width, rgb, alpha, size, matrix, y0: 0, y1: height - 1, columns });
  assert.is(blended, alpha.filter((a) => a > 0).length, 'every pixel with alpha above 0, and only those');
  // the definition, on one pixel: alpha 0.5, rgb 1 and src 0 gives 0.5, which rounds to 1
  const one = { src: new Uint8Array(3), out: new Uint8Array(3), replaced: new Uint8Array(1), width: 1, rgb: Uint8Array.of(1, 3, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0), alpha: Float32Array.of(0.5, 0, 0, 0), size: 2, matrix: [1, 0, 0, 0, 1, 0] as Affine, y0: 0, y1: 0, columns: (y: number, r: [number, number]) => ((r[0] = 0), (r[1] = 0)) };
  blendFaceWasm(one);
  assert.equal([...one.out], [1, 2, 3]);
  assert.equal([...one.replaced], [128]);
});

test('the warp: the same bytes as warpAffineJs with a replicated border, all pixels or only some, the map inside or past the frame', async () => {
  const { frame, aligned, mask } = await setup();
  const only = Uint8Array.from(mask.data, (v) => (v > 127 ? 1 : 0));
  const maps: Array<[string, RgbImage, number, Affine]> = [
    ['the aligned face', frame, 256, invertAffine(aligned.matrix)],
    ['turned and scaled', frame, 256, invertAffine(composeAffine(similarity(1.3, 0.5, 20, -30), aligned.matrix))],
    ['past the top left corner', frame, 256, invertAffine(composeAffine(similarity(0.4, -0.3, 200, 190), aligned.matrix))],
    ['past the bottom right corner', frame, 256, [1.7, 0.2, frame.width - 150, -0.1, 1.9, frame.height - 120]],
    ['a 7x5 source stretched over 40x40', { width: 7, height: 5, data: Uint8Array.from({ length: 105 }, (_, i) => (i * 53) % 256) }, 40, [0.2, 0.03, -0.7, -0.02, 0.15, -0.4]],
  ];
  // maps no alignment makes, which must still give the definition's bytes: not finite, and coordinates so large that stepping along a row rounds
  maps.push(['a map with an infinity', frame, 64, [1, 0, 0, 0, Infinity, 500]], ['a map with a NaN', frame, 64, [1, 0, Number.NaN, 0, 1, 0]], ['coordinates past 2^53', frame, 64, [1, 0, 0, -(1e16 + 8 - 50) / 63, 0, 1e16 + 8]]);
  for (const [name, src, size, inverse] of maps) {
    for (const which of [undefined, size === 256 ? only : Uint8Array.from({ length: size * size }, (_, i) => i % 3)]) {
      const want = warpAffineJs(src, inverse, size, size, { border: 'replicate', only: which });
      // into holds an earlier warp's bytes: every byte is written
      const got = warpWasm(src, inverse, size, size, which, new Uint8Array(size * size * 3).fill(99));
      assert.ok(same(want.data, got.data), `${name}${which ? ', only some' : ''}: ${firstDifference(want.data, got.data)}`);
    }
  }
  assert.throws(() => warpWasm(frame, invertAffine(aligned.matrix), 256, 256, only.subarray(0, 1000), new Uint8Array(256 * 256 * 3)), /expected a mark for each of the 65536 output pixels, got 1000/);
});

test('rct: the same bytes as rctReference on a real face, darkened and brightened past the gamut, with and without the mask and the needed pixels', async () => {
  const { aligned, mask } = await setup();
  const needed = Uint8Array.from(mask.data, (v, i) => (v > 0 || i % 7 === 0 ? 1 : 0));
  const faces: Array<[string, RgbImage]> = [
    ['darkened', { ...aligned.image, data: Uint8Array.from(aligned.image.data, (v) => Math.round(v * 0.6)) }],
    ['brightened', { ...aligned.image, data: Uint8Array.from(aligned.image.data, (v) => Math.min(255, v + 90)) }],
    ['one channel swapped', { ...aligned.image, data: Uint8Array.from(aligned.image.data, (v, i) => (i % 3 === 1 ? 255 - v : v)) }],
  ];
  for (const [name, face] of faces) {
    for (const [old, next] of [[aligned.image, face], [face, aligned.image]] as const) {
      for (const withMask of [true, false]) {
        for (const withNeeded of [true, false]) {
          const m = withMask ? mask : undefined;
          const n = withNeeded ? needed : undefined;
          const want = rctReference(old, next, m, n);
          const got = COLOUR_METHODS.rct(old, next, m, n);
          assert.ok(same(want.data, got.data), `${name}, mask ${withMask}, needed ${withNeeded}: ${firstDifference(want.data, got.data)}`);
        }
      }
    }
  }
});

test('rct: the same bytes as rctReference on an odd-sized crop with its mask (the last pixel goes alone through the masked conversions)', async () => {
  const { aligned, mask } = await setup();
  const side = 255;
  const crop = <T extends { width: number; data: Uint8Array }>(img: T, channels: number) => ({ width: side, height: side, data: Uint8Array.from({ length: side * side * channels }, (_, i) => img.data[(Math.floor(i / channels / side) * img.width + (Math.floor(i / channels) % side)) * channels + (i % channels)]!) });
  const old = crop(aligned.image, 3);
  const m = crop(mask, 1);
  // the last pixel inside the mask and needed, so the tail converts it both ways
  m.data[side * side - 1] = 255;
  const next = { ...old, data: Uint8Array.from(old.data, (v) => Math.round(v * 0.7)) };
  const needed = Uint8Array.from(m.data, (v, i) => (v > 0 || i % 5 === 0 ? 1 : 0));
  for (const n of [needed, undefined]) {
    const want = rctReference(old, next, m, n);
    const got = COLOUR_METHODS.rct(old, next, m, n);
    assert.ok(same(want.data, got.data), `needed ${!!n}: ${firstDifference(want.data, got.data)}`);
    assert.not.equal(got.data[side * side * 3 - 1], next.data[side * side * 3 - 1], 'the last pixel was recoloured');
  }
});

test('rct: the same bytes as rctReference on every eighth colour of the RGB cube (32x32x32)', () => {
  const side = 32;
  const cube: RgbImage = { width: side * side, height: side, data: new Uint8Array(side ** 3 * 3) };
  for (let i = 0; i < side ** 3; i++) {
    // every eighth value of each channel, from 0 to 255 (the last step ends at 255)
    const step = (v: number) => (v === side - 1 ? 255 : v * 8);
    cube.data[i * 3] = step(i % side);
    cube.data[i * 3 + 1] = step(Math.floor(i / side) % side);
    cube.data[i * 3 + 2] = step(Math.floor(i / side / side));
  }
  // the cube recoloured towards a reddish copy of itself, and the other way
  const red: RgbImage = { ...cube, data: Uint8Array.from(cube.data, (v, i) => (i % 3 === 0 ? Math.min(255, v + 60) : Math.round(v * 0.8))) };
  for (const [old, next] of [[red, cube], [cube, red], [cube, cube]] as const) {
    const want = rctReference(old, next);
    const got = COLOUR_METHODS.rct(old, next);
    assert.ok(same(want.data, got.data), firstDifference(want.data, got.data));
  }
});

test('the kernels\' cube root is Math.cbrt bit for bit over the range rct takes it (216 / 24389 to past 1)', () => {
  const { cbrt, cbrt_pair, memory } = pixelKernels();
  const pair = (a: number, b: number) => {
    cbrt_pair(a, b, 16384); // the kernels' first free bytes (above their tables)
    const out = new Float64Array(memory.buffer, 16384, 2);
    return [out[0]!, out[1]!];
  };
  let seed = 3;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed / 2147483648);
  const xs = [216 / 24389, 0.5, 1, 1.2, 1 - Number.EPSILON, 1 + Number.EPSILON, 0.125, 0.015625];
  for (let i = 0; i < 300_000; i++) xs.push(216 / 24389 + rand() * 1.3);
  for (const x of xs) if (cbrt(x) !== Math.cbrt(x)) assert.unreachable(`cbrt(${x}): ${cbrt(x)}, Math.cbrt ${Math.cbrt(x)}`);
  // and two at a time (the SIMD one rgb_to_lab uses), each lane its own
  for (let i = 0; i + 1 < xs.length; i += 2) {
    const [a, b] = pair(xs[i]!, xs[i + 1]!);
    if (a !== Math.cbrt(xs[i]!) || b !== Math.cbrt(xs[i + 1]!)) assert.unreachable(`cbrt pair (${xs[i]}, ${xs[i + 1]}): (${a}, ${b})`);
  }
});

test('rct\'s conversions alone: the same float32 Lab of every eighth colour of the RGB cube, and the same bytes back, scaled and shifted', () => {
  const side = 32;
  const n = side ** 3;
  const rgb = new Uint8Array(n * 3);
  const step = (v: number) => (v === side - 1 ? 255 : v * 8 + (v % 8));
  for (let i = 0; i < n; i++) {
    rgb[i * 3] = step(i % side);
    rgb[i * 3 + 1] = step(Math.floor(i / side) % side);
    rgb[i * 3 + 2] = step(Math.floor(i / side / side));
  }
  const js = labOf(rgb, n, false);
  const bits = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  for (const count of [n, n - 1, 1]) {
    // an odd count ends with a pixel alone
    const wasm = labOf(rgb, count, true);
    assert.ok(same(bits(js.subarray(0, count * 3)), bits(wasm)), `Lab of ${count} pixels: ${firstDifference(bits(js.subarray(0, count * 3)), bits(wasm))}`);
  }
  for (const [scale, shift] of [[[1, 1, 1], [0, 0, 0]], [[0.7, 1.3, 0.9], [12, -8, 5]], [[1.6, 2.2, 2.5], [-30, 40, -45]]] as const) {
    const back = rgbOfLab(js, n, scale, shift, false);
    assert.ok(same(back, rgbOfLab(js, n, scale, shift, true)), `RGB, scale ${scale} shift ${shift}: ${firstDifference(back, rgbOfLab(js, n, scale, shift, true))}`);
    if (scale[0] === 1) assert.ok(same(back, rgb), 'Lab and back is the identity on bytes');
  }
  // and a million Lab values at random over and past the gamut (L -10..110, a and b -130..130)
  const m = (1 << 20) - 1; // odd: the last pixel goes alone
  const lab = new Float32Array(m * 3);
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed / 2147483648);
  for (let i = 0; i < m; i++) {
    lab[i * 3] = rand() * 120 - 10;
    lab[i * 3 + 1] = rand() * 260 - 130;
    lab[i * 3 + 2] = rand() * 260 - 130;
  }
  const a = rgbOfLab(lab, m, [1, 1, 1], [0, 0, 0], false);
  const b = rgbOfLab(lab, m, [1, 1, 1], [0, 0, 0], true);
  assert.ok(same(a, b), `random Lab: ${firstDifference(a, b)}`);
});

test.run();
