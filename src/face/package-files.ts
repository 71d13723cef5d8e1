/**
 * The files that ship inside `@vladmandic/face-api`: its model weights and its demo photos.
 * Janus never downloads a model; these are found in the installed package.
 *
 *   faceApiModelDir()          // '/…/node_modules/@vladmandic/face-api/model'
 *   checkFaceApiModels()       // [{ name: 'ssd_mobilenetv1', ok: true, … }, …]
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UserError } from '../util/errors.ts';

const require = createRequire(import.meta.url);

/** The models Janus uses: detectors, landmarks, recognition. */
const FACE_API_MODELS = Object.freeze([
  'ssd_mobilenetv1_model',
  'tiny_face_detector_model',
  'face_landmark_68_model',
  'face_recognition_model',
] as const);

function faceApiRoot(): string {
  let main: string;
  try {
    main = require.resolve('@vladmandic/face-api');
  } catch {
    throw new UserError('the package @vladmandic/face-api is not installed', 'run `npm ci` in the Janus folder (or `make setup`)');
  }
  // main is <root>/dist/face-api.node.js
  return dirname(dirname(main));
}

export function faceApiModelDir(): string {
  return join(faceApiRoot(), 'model');
}

export function faceApiDemoDir(): string {
  return join(faceApiRoot(), 'demo');
}

export function faceApiVersion(): string {
  return (JSON.parse(readFileSync(join(faceApiRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

export interface ModelFileCheck {
  name: string;
  ok: boolean;
  /** Bytes of weights found (sum of the shards the manifest lists). */
  bytes: number;
  problem?: string;
}

/** Check each model's manifest and the weight shards it lists. */
export function checkFaceApiModels(dir = faceApiModelDir()): ModelFileCheck[] {
  return FACE_API_MODELS.map((name) => {
    const manifest = join(dir, `${name}-weights_manifest.json`);
    if (!existsSync(manifest)) return { name, ok: false, bytes: 0, problem: `missing ${manifest}` };
    try {
      const groups = JSON.parse(readFileSync(manifest, 'utf8')) as Array<{ paths: string[] }>;
      let bytes = 0;
      for (const g of groups) {
        for (const p of g.paths) {
          const f = join(dir, p);
          if (!existsSync(f)) return { name, ok: false, bytes, problem: `missing weights ${f}` };
          bytes += statSync(f).size;
        }
      }
      return { name, ok: bytes > 0, bytes, problem: bytes > 0 ? undefined : 'empty weights' };
    } catch (err) {
      return { name, ok: false, bytes: 0, problem: `unreadable manifest ${manifest}: ${(err as Error).message}` };
    }
  });
}

let modelHashes: Record<string, string> | null = null;

/**
 * sha256 of each model Janus uses (its manifest and weight shards, in order; 16 hex digits):
 * what an extraction records it ran on (janus verify names a model that changed).
 */
export function faceApiModelHashes(dir = faceApiModelDir()): Record<string, string> {
  if (modelHashes) return modelHashes;
  const out: Record<string, string> = {};
  for (const name of FACE_API_MODELS) {
    const h = createHash('sha256');
    const manifest = join(dir, `${name}-weights_manifest.json`);
    if (!existsSync(manifest)) {
      out[name] = 'missing';
      continue;
    }
    const text = readFileSync(manifest);
    h.update(text);
    for (const g of JSON.parse(text.toString('utf8')) as Array<{ paths: string[] }>) for (const p of g.paths) h.update(existsSync(join(dir, p)) ? readFileSync(join(dir, p)) : 'missing');
    out[name] = h.digest('hex').slice(0, 16);
  }
  return (modelHashes = out);
}
