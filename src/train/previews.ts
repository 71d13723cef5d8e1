/**
 * What a researcher looks at while training: a preview grid (faceswap's four rows: A->A,
 * A->B, B->B, B->A, each face beside its original) and the loss curve, both PNG.
 *
 *   await writePreview('weights/demo/preview.png', ae, facesA, facesB);
 *   await writeLossCurve('weights/demo/loss.png', losses);
 */
import sharp from 'sharp';
import { addPngText } from '../media/png-text.ts';
import { syntheticPngText } from '../swap/synthetic.ts';
import { tf } from '../engine/tf.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import type { Autoencoder } from '../model/autoencoder.ts';
import type { LossEntry } from './loss-log.ts';

/**
 * Rows: A original | A->A | A->B, then B original | B->B | B->A; `n` faces per row (a set of
 * fewer faces repeats them). Each distinct face goes through the encoder once and both decoders.
 */
export async function writePreview(file: string, ae: Autoencoder, a: Float32Array[], b: Float32Array[], n = 4): Promise<void> {
  const s = ae.arch.inputSize;
  const rows: Float32Array[][] = [];
  for (const [set, self, other] of [
    [a, ae.decoderA, ae.decoderB],
    [b, ae.decoderB, ae.decoderA],
  ] as const) {
    const faces = set.slice(0, n);
    const k = faces.length;
    const x = tf.tensor4d(Float32Array.from(faces.flatMap((f) => Array.from(f))), [k, s, s, 3]);
    const z = tf.tidy(() => ae.encoder.apply(x) as tf.Tensor4D);
    const rgb = (net: tf.LayersModel) =>
      tf.tidy(() => {
        const y = net.apply(z) as tf.Tensor4D;
        return ae.arch.learnMask ? y.slice([0, 0, 0, 0], [-1, -1, -1, 3]) : y;
      });
    const mine = rgb(self);
    const swapped = rgb(other);
    const split = async (t: tf.Tensor) => {
      const d = (await t.data()) as Float32Array;
      return Array.from({ length: k }, (_, i) => d.slice(i * s * s * 3, (i + 1) * s * s * 3));
    };
    const cycle = (xs: Float32Array[]) => Array.from({ length: n }, (_, i) => xs[i % k]!);
    rows.push(cycle(faces), cycle(await split(mine)), cycle(await split(swapped)));
    tf.dispose([x, z, mine, swapped]);
  }
  const W = n * s;
  const H = rows.length * s;
  const out = Buffer.alloc(W * H * 3);
  rows.forEach((row, r) =>
    row.forEach((img, c) => {
      for (let y = 0; y < s; y++) for (let x = 0; x < s; x++) for (let k = 0; k < 3; k++) out[((r * s + y) * W + c * s + x) * 3 + k] = Math.round(Math.min(1, Math.max(0, img[(y * s + x) * 3 + k]!)) * 255);
    }),
  );
  // it shows swapped faces: it carries the synthetic mark
  await writeFileAtomic(file, addPngText(await sharp(out, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer(), syntheticPngText('training-preview')));
}

/** A line chart of both losses (log scale) as PNG, drawn as SVG. */
export async function writeLossCurve(file: string, losses: readonly LossEntry[], width = 640, height = 360): Promise<void> {
  const pad = 40;
  const its = losses.map((e) => e.iteration);
  const vals = losses.flatMap((e) => [e.lossA, e.lossB]).filter((v) => v > 0 && Number.isFinite(v));
  const x0 = Math.min(...its, 0);
  const x1 = Math.max(...its, 1);
  const lo = Math.log10(Math.min(...vals, 1));
  const hi = Math.log10(Math.max(...vals, 1e-3));
  const span = Math.max(hi - lo, 1e-6);
  const X = (i: number) => pad + ((i - x0) / Math.max(1, x1 - x0)) * (width - 2 * pad);
  const Y = (v: number) => height - pad - ((Math.log10(v) - lo) / span) * (height - 2 * pad);
  const line = (k: 'lossA' | 'lossB') => losses.filter((e) => e[k] > 0).map((e) => `${X(e.iteration).toFixed(1)},${Y(e[k]).toFixed(1)}`).join(' ');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<rect width="100%" height="100%" fill="white"/>
<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="black"/>
<line x1="${pad}" y1="${pad}" x2="${pad}" y2="${height - pad}" stroke="black"/>
<polyline fill="none" stroke="#d62728" stroke-width="1.5" points="${line('lossA')}"/>
<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="${line('lossB')}"/>
<text x="${pad}" y="${pad - 12}" font-family="sans-serif" font-size="13">loss A (red), loss B (blue), log scale, iterations ${x0}-${x1}</text>
</svg>`;
  await writeFileAtomic(file, await sharp(Buffer.from(svg)).png().toBuffer());
}
