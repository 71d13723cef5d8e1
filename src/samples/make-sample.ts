/**
 * Build a sample clip from a face photo shipped in face-api: the face cropped generously,
 * with smooth pan, zoom, a small rotation and light changes, plus a tone as its audio track.
 * Deterministic: the same config gives the same bytes.
 *
 *   await makeSampleClip('a', 'samples/a.mp4');                   // 512 px, 25 fps, 5 s
 *   await makeSampleClip('b', 'samples/b.mp4', { seconds: 1 });
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SAMPLE_IDENTITIES, SampleClipConfig, type SampleName } from '../config/samples.ts';
import { faceApiDemoDir } from '../face/package-files.ts';
import { reserveTemp } from '../util/atomic-write.ts';
import { openVideoWriter } from '../media/encode.ts';
import { readImage } from '../media/image.ts';
import { similarity, warpAffine } from '../media/warp-affine.ts';
import { encodeWav } from './wav.ts';
import type { Affine, RgbImage } from '../util/geometry.ts';

/** Where the camera looks in frame `i`: centre, crop size (source pixels), roll, light. */
export interface Shot {
  cx: number;
  cy: number;
  crop: number;
  angle: number;
  gain: readonly [number, number, number];
}

const TAU = 2 * Math.PI;

/** The camera path: slow sinusoids with incommensurate periods, phase-shifted per identity. */
export function shotAt(name: SampleName, t: number, seconds: number): Shot {
  const id = SAMPLE_IDENTITIES[name];
  const [lx, ly] = id.leftEye;
  const [rx, ry] = id.rightEye;
  const [mx, my] = id.mouth;
  const eyeDist = Math.hypot(rx - lx, ry - ly);
  // Face centre: between the eye midpoint and the mouth; crop of ~5 eye distances (head and shoulders).
  const fx = ((lx + rx) / 2 + mx) / 2;
  const fy = ((ly + ry) / 2 + my) / 2;
  const base = 5 * eyeDist;
  const p = id.phase;
  const u = t / seconds;
  return {
    cx: fx + 0.07 * base * Math.sin(TAU * u + p),
    cy: fy - 0.05 * base + 0.05 * base * Math.sin(TAU * 1.3 * u + 2 * p),
    crop: base * (1 + 0.15 * Math.sin(TAU * 0.8 * u + 0.5 + p)),
    angle: (6 * Math.PI) / 180 * Math.sin(TAU * 0.9 * u + p),
    gain: [
      1 + 0.12 * Math.sin(TAU * 1.6 * u + p),
      1 + 0.1 * Math.sin(TAU * 1.6 * u + p + 0.4),
      1 + 0.14 * Math.sin(TAU * 1.6 * u + p + 0.9),
    ],
  };
}

/** The map from a frame's pixels to the photo's (what the camera saw where): rotate about the centre, scale, translate to the face. */
export function shotMatrix(shot: Shot, size: number): Affine {
  const k = shot.crop / size; // source pixels per output pixel
  const m = similarity(k, shot.angle, 0, 0);
  const h = size / 2;
  return [m[0], m[1], shot.cx - m[0] * h - m[1] * h, m[3], m[4], shot.cy - m[3] * h - m[4] * h];
}

/** Render one frame of the clip from the photo. */
export function renderShot(photo: RgbImage, shot: Shot, size: number): RgbImage {
  const img = warpAffine(photo, shotMatrix(shot, size), size, size, { border: 'replicate' });
  const d = img.data;
  const [gr, gg, gb] = shot.gain;
  for (let i = 0; i < d.length; i += 3) {
    d[i] = Math.min(255, d[i]! * gr + 0.5);
    d[i + 1] = Math.min(255, d[i + 1]! * gg + 0.5);
    d[i + 2] = Math.min(255, d[i + 2]! * gb + 0.5);
  }
  return img;
}

/** The audio track: a soft tone with a slow tremolo, 48 kHz mono. */
function sampleAudio(name: SampleName, seconds: number, rate = 48000): Float32Array {
  const f = SAMPLE_IDENTITIES[name].toneHz;
  const n = Math.round(seconds * rate);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const fade = Math.min(1, t / 0.05, (seconds - t) / 0.05);
    out[i] = 0.25 * fade * (0.7 + 0.3 * Math.sin(TAU * 2 * t)) * Math.sin(TAU * f * t);
  }
  return out;
}

export async function makeSampleClip(name: SampleName, out: string, config: Partial<SampleClipConfig> = {}): Promise<void> {
  const cfg = SampleClipConfig.parse(config);
  const photo = await readImage(join(faceApiDemoDir(), SAMPLE_IDENTITIES[name].photo));
  const frames = Math.round(cfg.seconds * cfg.fps);
  // The tone goes through a temp WAV that the encoder reads as the "source audio"; it is
  // never renamed into place, only discarded.
  const wav = reserveTemp(`${out}.wav`);
  try {
    await writeFile(wav.tmp, encodeWav(sampleAudio(name, frames / cfg.fps), 48000, 1));
    const writer = await openVideoWriter({
      out,
      width: cfg.size,
      height: cfg.size,
      fps: { num: cfg.fps, den: 1 },
      audioFrom: wav.tmp,
      crf: 20,
      deterministic: true,
    });
    try {
      for (let i = 0; i < frames; i++) {
        const img = renderShot(photo, shotAt(name, i / cfg.fps, cfg.seconds), cfg.size);
        await writer.write(img.data);
      }
      await writer.close();
    } catch (err) {
      await writer.abort();
      throw err;
    }
  } finally {
    await wav.discard();
  }
}
