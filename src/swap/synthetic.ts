/**
 * Every generated video says it is synthetic: container metadata tags (readable with
 * `ffprobe -show_format`) and a sidecar JSON beside it with the method, the model, the inputs'
 * fingerprints and the pipeline that made it.
 *
 *   openVideoWriter({ …, metadata: syntheticTags({ direction: 'a-to-b', model: 'sha256…', sidecar: 'output.provenance.json' }) });
 *   await writeJsonAtomic('runs/demo/output.provenance.json', sidecar);
 */
import type { Direction } from '../config/swap.ts';
import type { Provenance } from '../util/provenance.ts';

export const SYNTHETIC_SCHEMA = 'janus.synthetic/1';
export const METHOD = 'janus-autoencoder-latent-swap';

export interface SyntheticTagInfo {
  direction: Direction;
  /** sha256 of the model checkpoint's manifest. */
  model: string;
  /** File name of the sidecar JSON. */
  sidecar: string;
  /** What this file shows: the swap, its replaced-pixel mask, or a comparison. */
  content: 'face-swap' | 'replaced-pixel-mask' | 'side-by-side';
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
