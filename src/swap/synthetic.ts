/**
 * Every synthetic artefact says so: videos and their segments carry container metadata tags
 * (readable with `ffprobe -show_format`), swapped face PNGs and training previews carry PNG text
 * chunks, and a sidecar JSON beside each video names the method, the model, the inputs'
 * fingerprints and the pipeline that made it.
 *
 *   openVideoWriter({ …, metadata: syntheticTags({ direction: 'a-to-b', model: 'sha256…', sidecar: 'output.provenance.json' }) });
 *   await writeJsonAtomic('runs/demo/output.provenance.json', sidecar);
 */
import type { Direction } from '../config/swap.ts';
import type { Provenance } from '../util/provenance.ts';

export const SYNTHETIC_SCHEMA = 'janus.synthetic/1';
export const METHOD = 'janus-autoencoder-latent-swap';

export type SyntheticContent = 'face-swap' | 'replaced-pixel-mask' | 'side-by-side';

export interface SyntheticTagInfo {
  direction: Direction;
  /** sha256 of the model checkpoint's manifest. */
  model: string;
  /** File name of the sidecar JSON. */
  sidecar: string;
  /** What this file shows: the swap, its replaced-pixel mask, or a comparison. */
  content: SyntheticContent;
}

export function syntheticTags(t: SyntheticTagInfo): Record<string, string> {
  return {
    comment: `SYNTHETIC: face-swap deepfake made by Janus (${METHOD}, ${t.direction}); provenance in ${t.sidecar}`,
    synthetic: 'true',
    janus_method: METHOD,
    janus_content: t.content,
    janus_direction: t.direction,
    janus_model: t.model,
    janus_sidecar: t.sidecar,
  };
}

/** The PNG text chunks of a synthetic image (a swapped face, a training preview). */
export function syntheticPngText(content: 'swapped-face' | 'training-preview', direction?: Direction): Record<string, string> {
  return {
    Comment: `SYNTHETIC: ${content === 'swapped-face' ? 'face-swap deepfake' : 'training preview of a face-swap model'} made by Janus (${METHOD}${direction ? `, ${direction}` : ''})`,
    synthetic: 'true',
    janus_method: METHOD,
    janus_content: content,
    ...(direction ? { janus_direction: direction } : {}),
  };
}

export interface FileFingerprint {
  file: string;
  sha256: string;
}

export interface SyntheticSidecar {
  schema: typeof SYNTHETIC_SCHEMA;
  synthetic: true;
  notice: string;
  method: { name: typeof METHOD; direction: Direction; swap: Record<string, unknown>; composite: Record<string, unknown> };
  outputs: { video: FileFingerprint; mask: FileFingerprint; comparison: FileFingerprint | null };
  inputs: { video: FileFingerprint; alignments: FileFingerprint };
  model: { folder: string; checkpoint: string; iteration: number; fingerprint: string; arch: unknown };
  frames: { total: number; swapped: number; skipped: number };
  pipeline: unknown;
  software: Provenance;
}

export const SYNTHETIC_NOTICE = 'This video is synthetic: faces in it were replaced by a face-swap model (Janus). It is made for research and deepfake detection; do not present it as real footage.';
