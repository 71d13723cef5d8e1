/**
 * The preview grid: each row's faces through the encoder once and both decoders give the grid
 * that reconstructing every shown face through each decoder gives (a set smaller than a row
 * repeats its faces, a larger one shows the first `n`), with and without the learned mask, and
 * no tensor is left behind.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { modelArchitecture } from '../../src/config/model.ts';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { buildAutoencoder, type Autoencoder } from '../../src/model/autoencoder.ts';
import { writePreview } from '../../src/train/previews.ts';
import { faceCrop } from '../helpers/data.ts';
import { tempDir } from '../helpers/fixtures.ts';

const test = suite('train/previews');
const tmp = tempDir('previews');
test.before(async () => {
  await selectBackend('wasm');
});
test.after(() => tmp.cleanup());

/** The grid built the plain way: `n` faces per row, each reconstructed by each decoder on its own. */
async function expectedGrid(ae: Autoencoder, a: Float32Array[], b: Float32Array[], n: number): Promise<Uint8Array> {
  const s = ae.arch.inputSize;
  const rows: Float32Array[][] = [];
  for (const [set, self, other] of [
    [a, 'a', 'b'],
    [b, 'b', 'a'],
  ] as const) {
    const shown = Array.from({ length: n }, (_, i) => set[i % set.length]!);
    const through = async (which: 'a' | 'b') =>
      Promise.all(
        shown.map(async (f) => {
          const x = tf.tensor4d(f, [1, s, s, 3]);
          const y = ae.reconstruct(x, which);
          const d = (await y.data()) as Float32Array;
          tf.dispose([x, y]);
          return d;
        }),
      );
    rows.push(shown, await through(self), await through(other));
  }
  const W = n * s;
  const out = new Uint8Array(W * rows.length * s * 3);
  rows.forEach((row, r) => row.forEach((img, c) => img.forEach((v, i) => (out[((r * s + Math.floor(i / 3 / s)) * W + c * s + (Math.floor(i / 3) % s)) * 3 + (i % 3)] = Math.round(Math.min(1, Math.max(0, v)) * 255)))));
  return out;
}

for (const learnMask of [false, true]) {
  test(`the grid equals each face reconstructed alone (${learnMask ? 'learned mask' : 'rgb only'}; sets of 1 and 5 faces), no tensor left`, async () => {
    const ae = buildAutoencoder(modelArchitecture('tiny', 'transpose', learnMask), 4);
    // bolder weights than the initial ones (whose outputs all sit near 0.5), so each decoder draws its own faces
    ae.trainableWeights().forEach((w, i) => {
      const v = w.read() as tf.Variable;
      tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.3, 'float32', i + 1))); // seed 0 would mean a random one
    });
    const fa = await faceCrop('a', 64);
    const fb = await faceCrop('b', 64);
    const a = [fa];
    const b = [fb, fa, fb.map((v) => 1 - v), fa.map((v) => v * 0.5), fb.map((v) => v * 0.8)];
    const file = join(tmp.dir, `preview-${learnMask}.png`);
    const before = tf.memory().numTensors;
    await writePreview(file, ae, a, b);
    assert.is(tf.memory().numTensors, before, 'tensors after writePreview');
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    assert.equal([info.width, info.height, info.channels], [4 * 64, 6 * 64, 3]);
    const want = await expectedGrid(ae, a, b, 4);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(data[i]! - want[i]!));
    assert.ok(worst <= 1, `largest difference from the plain grid ${worst}/255`);
    const cell = (row: number, col: number) => Array.from({ length: 64 * 64 * 3 }, (_, i) => want[((row * 64 + Math.floor(i / 192)) * 256 + col * 64 + (Math.floor(i / 3) % 64)) * 3 + (i % 3)]!);
    const apart = (p: number[], q: number[]) => p.reduce((m, v, i) => Math.max(m, Math.abs(v - q[i]!)), 0);
    assert.ok(apart(cell(4, 0), cell(5, 0)) > 20, 'B->B and B->A differ (the check can tell the decoders apart)');
    assert.ok(apart(cell(4, 0), cell(4, 2)) > 20, 'two faces of B differ (the check can tell the faces apart)');
    ae.dispose();
  });
}

test.run();
