/**
 * face-api (`@vladmandic/face-api`, its node-wasm build) on Janus's one tfjs engine: load the
 * models shipped in the package (never from the network) and detect faces with their 68
 * landmarks and 128-d recognition descriptors.
 *
 *   const fa = await loadFaceApi();                         // after selectBackend(...)
 *   const faces = await detectFaces(fa, frame, { detector: 'ssd', minScore: 0.5 });
 *   faces[0].landmarks   // 68 [x, y] points in frame pixels
 *
 * On a backend that cannot read synchronously (webgpu), every call runs on wasm beside it
 * (`onSyncReadBackend`). Tensors: the input tensor and everything face-api returns as tensors are disposed here; the
 * results are plain numbers.
 */
import { createRequire } from 'node:module';
import { ExtractConfig } from '../config/extract.ts';
import { defaultOf } from '../config/parse.ts';
import type { Box, Point, RgbImage } from '../util/geometry.ts';
import { onSyncReadBackend } from '../engine/backend.ts';
import { tf } from '../engine/tf.ts';
import { faceApiModelDir } from './package-files.ts';

const require = createRequire(import.meta.url);

/** The parts of face-api that Janus uses (its bundled typings are not exported for the node-wasm build). */
export interface FaceApi {
  tf: typeof tf;
  nets: Record<'ssdMobilenetv1' | 'tinyFaceDetector' | 'faceLandmark68Net' | 'faceRecognitionNet', { loadFromDisk(dir: string): Promise<void>; isLoaded: boolean }> & {
    faceLandmark68Net: { detectLandmarks(input: unknown): Promise<{ positions: Array<{ x: number; y: number }> }>; runNet(input: unknown): tf.Tensor2D };
    faceRecognitionNet: { computeFaceDescriptor(input: unknown): Promise<Float32Array> };
  };
  NetInput: new (inputs: unknown[]) => unknown;
  SsdMobilenetv1Options: new (o: { minConfidence: number; maxResults?: number }) => unknown;
  TinyFaceDetectorOptions: new (o: { inputSize: number; scoreThreshold: number }) => unknown;
  detectAllFaces(input: unknown, options: unknown): {
    withFaceLandmarks(): { withFaceDescriptors(): Promise<RawFace[]> } & PromiseLike<RawFace[]>;
  };
}

interface RawFace {
  detection: { box: Box; score: number };
  landmarks: { positions: Array<{ x: number; y: number }> };
  descriptor?: Float32Array;
}

export interface DetectedFace {
  box: Box;
  score: number;
  landmarks: Point[];
  descriptor: number[] | null;
  /** True when the face was followed from the previous frame by its landmarks, not detected. */
  tracked?: boolean;
}

const DETECTORS = ['ssd', 'tiny'] as const;
export type DetectorName = (typeof DETECTORS)[number];

let loaded: FaceApi | null = null;

/** Load face-api and its models (once per process). Select the backend first. */
export async function loadFaceApi(): Promise<FaceApi> {
  if (loaded) return loaded;
  return onSyncReadBackend(loadModels);
}

async function loadModels(): Promise<FaceApi> {
  const fa = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
  if (fa.tf.engine() !== tf.engine()) throw new Error('face-api runs on a different tfjs engine than Janus (two copies of @tensorflow/tfjs installed?)');
  const dir = faceApiModelDir();
  for (const net of ['ssdMobilenetv1', 'tinyFaceDetector', 'faceLandmark68Net', 'faceRecognitionNet'] as const) {
    if (!fa.nets[net].isLoaded) await fa.nets[net].loadFromDisk(dir);
  }
  loaded = fa;
  return fa;
}

export interface DetectOptions {
  detector: DetectorName;
  /** Detections below this score are not returned. */
  minScore: number;
  /** TinyFaceDetector input size (multiple of 32). */
  tinyInputSize?: number;
  /** Compute 128-d recognition descriptors (for the identity filter). */
  descriptors?: boolean;
}

export function detectFaces(fa: FaceApi, img: RgbImage, opts: DetectOptions): Promise<DetectedFace[]> {
  return onSyncReadBackend(() => detect(fa, img, opts));
}

async function detect(fa: FaceApi, img: RgbImage, opts: DetectOptions): Promise<DetectedFace[]> {
  const input = tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
  try {
    const options =
      opts.detector === 'ssd'
        ? new fa.SsdMobilenetv1Options({ minConfidence: opts.minScore, maxResults: 20 })
        : new fa.TinyFaceDetectorOptions({ inputSize: opts.tinyInputSize ?? defaultOf(ExtractConfig, 'tinyInputSize'), scoreThreshold: opts.minScore });
    const task = fa.detectAllFaces(input, options).withFaceLandmarks();
    const raw = opts.descriptors === false ? await task : await task.withFaceDescriptors();
    return raw
      .map((r) => ({
        box: { x: r.detection.box.x, y: r.detection.box.y, width: r.detection.box.width, height: r.detection.box.height },
        score: r.detection.score,
        landmarks: r.landmarks.positions.map((p) => [p.x, p.y] as Point),
        descriptor: r.descriptor ? Array.from(r.descriptor) : null,
      }))
      .sort((a, b) => a.box.x - b.box.x);
  } finally {
    input.dispose();
  }
}

/** Euclidean distance between two descriptors (face-api's usual threshold for "same person" is 0.6). */
export function descriptorDistance(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}

/** The bounding box of a set of points (landmarks). */
export function landmarkBounds(pts: readonly Point[]): Box {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const [x, y] of pts) {
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * Follow faces from the previous frame without running the detector: the landmark net on a
 * box placed where the previous landmarks say the face is (the box keeps the shape the
 * detector gave relative to the landmarks). Score and descriptor carry over. About 30 ms a
 * face on wasm, against 250+ ms for SsdMobilenetv1.
 *
 * One entry per previous face, null where it left the frame.
 *
 *   const next = await followFaces(fa, frame, previousFaces);
 */
export function followFaces(fa: FaceApi, img: RgbImage, previous: readonly (DetectedFace & { boxFromLandmarks?: number[] })[]): Promise<(DetectedFace | null)[]> {
  return onSyncReadBackend(() => track(fa, img, previous));
}

async function track(fa: FaceApi, img: RgbImage, previous: readonly (DetectedFace & { boxFromLandmarks?: number[] })[]): Promise<(DetectedFace | null)[]> {
  if (!previous.length) return [];
  const out: (DetectedFace | null)[] = [];
  for (const p of previous) {
    const lb = landmarkBounds(p.landmarks);
    // the detection box relative to the landmarks' bounds, as measured when it was detected
    const rel = p.boxFromLandmarks ?? [(p.box.x - lb.x) / lb.width, (p.box.y - lb.y) / lb.height, p.box.width / lb.width, p.box.height / lb.height];
    const x = Math.max(0, Math.round(lb.x + rel[0]! * lb.width));
    const y = Math.max(0, Math.round(lb.y + rel[1]! * lb.height));
    const w = Math.min(img.width - x, Math.round(rel[2]! * lb.width));
    const h = Math.min(img.height - y, Math.round(rel[3]! * lb.height));
    if (w < 16 || h < 16) {
      out.push(null); // left the frame
      continue;
    }
    const lm = landmarksOfBox(fa, img, x, y, w, h);
    const face: DetectedFace & { boxFromLandmarks: number[] } = { box: { x, y, width: w, height: h }, score: p.score, landmarks: lm, descriptor: p.descriptor, tracked: true, boxFromLandmarks: rel };
    out.push(face);
  }
  return out;
}

/** The landmark net's input size. */
const LANDMARK_INPUT = 112;

/**
 * The 68 landmarks (frame pixels) of the face in the box (x, y, w, h) of `img`: exactly what
 * face-api's `detectLandmarks` gives for that crop (a test holds them equal), without its
 * tensor plumbing, which took more time than the net (on wasm, following one face took 21 ms,
 * 8 of them in the net's kernels): the crop is padded to a square here, as face-api pads it
 * (the odd pixel after), in one pass into float32 (face-api casts, pads and stacks with four
 * tensor ops each way), resized as face-api resizes it, and face-api's post-processing (a
 * dozen tensor ops) is done on the 136 numbers in float32 arithmetic (Math.fround), as its
 * float32 tensors do it.
 */
function landmarksOfBox(fa: FaceApi, img: RgbImage, x: number, y: number, w: number, h: number): Point[] {
  const side = Math.max(w, h);
  const diff = side - Math.min(w, h);
  // face-api's padToSquare (centred): round(diff / 2) after the image, the rest before
  const before = diff - Math.round(diff * 0.5);
  const [ox, oy] = w < h ? [before, 0] : [0, before];
  const square = new Float32Array(side * side * 3);
  const src = img.data;
  for (let row = 0; row < h; row++) {
    let s = ((y + row) * img.width + x) * 3;
    let d = ((oy + row) * side + ox) * 3;
    for (const end = s + w * 3; s < end; ) square[d++] = src[s++]!;
  }
  const raw = tf.tidy(() => {
    const t = tf.tensor4d(square, [1, side, side, 3]);
    const input = side === LANDMARK_INPUT ? t : tf.image.resizeBilinear(t, [LANDMARK_INPUT, LANDMARK_INPUT], false, false);
    return fa.nets.faceLandmark68Net.runNet(new fa.NetInput([input]));
  });
  let o: Float32Array;
  try {
    o = raw.dataSync() as Float32Array;
  } finally {
    raw.dispose();
  }
  // face-api's postProcess: (out * 112 - pad) / (size scaled to 112), each step in float32, then
  // FaceLandmarks68 scales by the crop's size
  const f = Math.fround;
  const scale = LANDMARK_INPUT / side;
  const sw = w * scale;
  const sh = h * scale;
  const padX = f(sw < sh ? Math.abs(sw - sh) / 2 : 0);
  const padY = f(sh < sw ? Math.abs(sw - sh) / 2 : 0);
  const [fw, fh, n] = [f(sw), f(sh), f(LANDMARK_INPUT)];
  const out: Point[] = [];
  for (let i = 0; i < 68; i++) {
    const rx = f(f(f(o[2 * i]! * n) - padX) / fw);
    const ry = f(f(f(o[2 * i + 1]! * n) - padY) / fh);
    out.push([rx * w + 0 + x, ry * h + 0 + y]);
  }
  return out;
}

/**
 * The 128-d recognition descriptor of a face whose landmarks are known (an aligned crop and
 * its template points, a swapped face): the recognition net on the box face-api itself would
 * use (the landmarks' bounds padded by 20%), so distances compare with detection descriptors.
 *
 *   const d = await describeFace(fa, crop, templateInCrop({ size: 256, coverage: 1.6 }));
 */
export function describeFace(fa: FaceApi, img: RgbImage, landmarks: readonly Point[]): Promise<number[]> {
  return onSyncReadBackend(() => describe(fa, img, landmarks));
}

async function describe(fa: FaceApi, img: RgbImage, landmarks: readonly Point[]): Promise<number[]> {
  const lb = landmarkBounds(landmarks);
  const x = Math.max(0, Math.floor(lb.x - lb.width * 0.1));
  const y = Math.max(0, Math.floor(lb.y - lb.height * 0.1));
  const w = Math.min(img.width - x, Math.ceil(lb.width * 1.2));
  const h = Math.min(img.height - y, Math.ceil(lb.height * 1.2));
  if (w < 16 || h < 16) throw new Error(`describeFace: the face box ${w}x${h} is too small`);
  const crop = new Uint8Array(w * h * 3);
  for (let row = 0; row < h; row++) crop.set(img.data.subarray(((y + row) * img.width + x) * 3, ((y + row) * img.width + x + w) * 3), row * w * 3);
  const t = tf.tensor3d(crop, [h, w, 3], 'int32');
  try {
    return Array.from(await fa.nets.faceRecognitionNet.computeFaceDescriptor(t));
  } finally {
    t.dispose();
  }
}
