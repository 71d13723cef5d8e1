/**
 * face-api on the wasm backend for tests, and the faces of face-api's six demo photos
 * (detected once per process).
 */
import { join } from 'node:path';
import { selectBackend } from '../../src/engine/backend.ts';
import { detectFaces, loadFaceApi, type DetectedFace, type FaceApi } from '../../src/face/face-api.ts';
import { faceApiDemoDir } from '../../src/face/package-files.ts';
import { readImage } from '../../src/media/image.ts';
import type { RgbImage } from '../../src/util/geometry.ts';

let fa: FaceApi | null = null;
/** face-api on wasm: selected on every call, whatever backend an earlier test left active. */
export async function faceApi(): Promise<FaceApi> {
  await selectBackend('wasm');
  fa ??= await loadFaceApi();
  return fa;
}

export interface DemoPhoto {
  name: string;
  image: RgbImage;
  faces: DetectedFace[];
}

let demo: DemoPhoto[] | null = null;
export async function demoPhotos(): Promise<DemoPhoto[]> {
  if (demo) return demo;
  const f = await faceApi();
  const out: DemoPhoto[] = [];
  for (let i = 1; i <= 6; i++) {
    const image = await readImage(join(faceApiDemoDir(), `sample${i}.jpg`));
    out.push({ name: `sample${i}.jpg`, image, faces: await detectFaces(f, image, { detector: 'ssd', minScore: 0.5, descriptors: true }) });
  }
  demo = out;
  return out;
}
