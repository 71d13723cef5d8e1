/**
 * Checkpoints that never lose work: the three networks, the optimizer state and the training
 * state, written as one folder built aside and renamed into place, with a manifest of sha256
 * checksums. Loading takes the newest checkpoint whose checksums match and says which ones it
 * skipped; a checkpoint of another architecture is refused, naming the setting that differs.
 *
 *   await saveCheckpoint('weights/demo', { ae, optimizerWeights, state }, { keep: 3 });
 *   const ck = await loadLatestCheckpoint('weights/demo', arch);   // null when there is none
 *   ck?.state.iteration
 */
import { cpSync, existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Architecture } from '../config/model.ts';
import { defaultOf } from '../config/parse.ts';
import { TrainConfig } from '../config/train.ts';
import { z } from 'zod';
import { tf } from '../engine/tf.ts';
import { withAtomicPath, writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.ts';
import { UserError } from '../util/errors.ts';
import { jsonFileProblem, readJsonFile } from '../util/read-json.ts';
import { sha256File } from '../util/hash.ts';
import { buildAutoencoder, type Autoencoder } from './autoencoder.ts';
import { WeightSpecs, fileIOHandler } from './file-io-handler.ts';

export const TrainingState = z
  .object({
    iteration: z.number().int().min(0),
    arch: Architecture,
    /** Hash of everything that must match to continue the same run (architecture, loss, data…). */
    configHash: z.string(),
    /** Random generator state, so a resumed run draws the same batches. */
    rng: z.array(z.number()),
    /** Losses of the last good step (null: none yet; a NaN is written as null). */
    lossA: z.number().nullable(),
    lossB: z.number().nullable(),
    /** Best score (mean loss A+B over the last 10 iterations) of any checkpoint so far: what best/ holds. */
    bestScore: z.number().nullable().optional(),
    /** Share of the aligned crop the model sees (model/input.ts); absent in older checkpoints: 1, the whole crop. */
    coverage: z.number().positive().optional(),
    /** Seconds of training up to this checkpoint, over all runs (time budgets and schedules continue from it). */
    trainSeconds: z.number().min(0).optional(),
    savedAt: z.string().optional(),
  })
  .strict();
export type TrainingState = z.infer<typeof TrainingState>;

export const CHECKPOINT_SCHEMA = 'janus.checkpoint/1';

/** MANIFEST.json: the sha256 of every other file of the checkpoint folder. */
export const CheckpointManifest = z.object({ schema: z.literal(CHECKPOINT_SCHEMA), sha256: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 (64 hex digits)')) }).strict();
export type CheckpointManifest = z.infer<typeof CheckpointManifest>;

const CHECKPOINT_HINT = 'the checkpoint is damaged or from another version of Janus: delete it to use the one before, or train into a new folder';
const readState = (dir: string): TrainingState => readJsonFile(join(dir, 'state.json'), TrainingState, { what: 'checkpoint state', hint: CHECKPOINT_HINT });
const readOptimizerSpecs = (dir: string) => readJsonFile(join(dir, 'optimizer.json'), WeightSpecs, { what: 'optimizer weights manifest', hint: CHECKPOINT_HINT });

/** The coverage a checkpoint's model was trained at (older checkpoints: the whole crop). */
export function checkpointCoverage(state: TrainingState): number {
  return state.coverage ?? 1;
}

/** A named tensor, as optimizers' getWeights/setWeights use. */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

const NETS = ['encoder', 'decoder_a', 'decoder_b'] as const;
const CKPT = /^ckpt-(\d{9})$/;

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), base) : [relative(base, join(dir, e.name))])).sort();
}

export function checkpointsDir(root: string): string {
  return join(root, 'checkpoints');
}

/** Checkpoint folders, newest first. */
export function listCheckpoints(root: string): string[] {
  const d = checkpointsDir(root);
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .filter((n) => CKPT.test(n))
    .sort()
    .reverse()
    .map((n) => join(d, n));
}

export async function saveCheckpoint(
  root: string,
  what: { ae: Autoencoder; optimizerWeights: NamedTensor[]; state: TrainingState },
  opts: { keep?: number } = {},
): Promise<string> {
  const target = join(checkpointsDir(root), `ckpt-${String(what.state.iteration).padStart(9, '0')}`);
  await withAtomicPath(target, async (tmp) => {
    await what.ae.encoder.save(fileIOHandler(join(tmp, 'encoder')));
    await what.ae.decoderA.save(fileIOHandler(join(tmp, 'decoder_a')));
    await what.ae.decoderB.save(fileIOHandler(join(tmp, 'decoder_b')));
    const enc = await tf.io.encodeWeights(what.optimizerWeights);
    await writeFileAtomic(join(tmp, 'optimizer.bin'), new Uint8Array(tf.io.CompositeArrayBuffer.join(enc.data)));
    await writeJsonAtomic(join(tmp, 'optimizer.json'), enc.specs);
    await writeJsonAtomic(join(tmp, 'state.json'), { ...what.state, savedAt: new Date().toISOString() });
    const files = listFiles(tmp);
    await writeJsonAtomic(join(tmp, 'MANIFEST.json'), { schema: CHECKPOINT_SCHEMA, sha256: Object.fromEntries(files.map((f) => [f, sha256File(join(tmp, f))])) });
  });
  const keep = opts.keep ?? defaultOf(TrainConfig, 'keep');
  for (const old of listCheckpoints(root).slice(keep)) rmSync(old, { recursive: true, force: true });
  return target;
}

/** Copy a checkpoint to `<root>/best` (atomically). */
export async function saveBest(root: string, checkpoint: string): Promise<void> {
  await withAtomicPath(join(root, 'best'), async (tmp) => cpSync(checkpoint, tmp, { recursive: true }));
}

/**
 * Why a checkpoint folder cannot be used, or null when it can: its manifest is valid, every
 * checksum matches, and its state and optimizer manifest read back as their schemas.
 */
export function verifyCheckpoint(dir: string): string | null {
  const m = join(dir, 'MANIFEST.json');
  if (!existsSync(m)) return 'no MANIFEST.json (written incompletely)';
  let manifest: CheckpointManifest;
  try {
    manifest = readJsonFile(m, CheckpointManifest, { what: 'checkpoint manifest' });
  } catch (err) {
    if (err instanceof UserError) return err.message;
    throw err;
  }
  for (const [f, h] of Object.entries(manifest.sha256)) {
    const p = join(dir, f);
    if (!existsSync(p)) return `missing ${f}`;
    if (sha256File(p) !== h) return `checksum mismatch in ${f} (corrupt or truncated)`;
  }
  return jsonFileProblem(join(dir, 'state.json'), TrainingState, { what: 'checkpoint state' }) ?? jsonFileProblem(join(dir, 'optimizer.json'), WeightSpecs, { what: 'optimizer weights manifest' });
}

/** The first setting in which two architectures differ, or null. */
export function architectureDifference(saved: Architecture, wanted: Architecture): string | null {
  // learnMask was added later: absent means no
  const norm = (a: Architecture) => ({ ...a, learnMask: a.learnMask ?? false });
  const [s, w] = [norm(saved), norm(wanted)];
  for (const k of Object.keys(w) as (keyof Architecture)[]) {
    if (JSON.stringify(s[k]) !== JSON.stringify(w[k])) return `${k}: the checkpoint has ${JSON.stringify(s[k])}, this run asks for ${JSON.stringify(w[k])}`;
  }
  return null;
}

export interface LoadedCheckpoint {
  dir: string;
  ae: Autoencoder;
  optimizerWeights: NamedTensor[];
  state: TrainingState;
  /** Newer checkpoints passed over, with the reason. */
  skipped: Array<{ dir: string; reason: string }>;
}

export async function loadLatestCheckpoint(root: string, arch: Architecture): Promise<LoadedCheckpoint | null> {
  const skipped: LoadedCheckpoint['skipped'] = [];
  for (const dir of listCheckpoints(root)) {
    const problem = verifyCheckpoint(dir);
    if (problem) {
      skipped.push({ dir, reason: problem });
      continue;
    }
    const state = readState(dir);
    const diff = architectureDifference(state.arch, arch);
    if (diff) throw new UserError(`the checkpoint in ${root} is of another architecture (${diff})`, `train into a new folder (--out weights/NEW), or use the checkpoint's settings (preset ${state.arch.preset}, upsample ${state.arch.upsample})`);
    const ae = await loadNetworks(dir, arch);
    const specs: tf.io.WeightsManifestEntry[] = readOptimizerSpecs(dir);
    const bin = readFileSync(join(dir, 'optimizer.bin'));
    const map = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), specs);
    const optimizerWeights = specs.map((s) => ({ name: s.name, tensor: map[s.name]! }));
    return { dir, ae, optimizerWeights, state, skipped };
  }
  return null;
}

async function loadNetworks(dir: string, arch: Architecture): Promise<Autoencoder> {
  // every weight is replaced below: seeded, the build draws glorot-uniform values, several times
  // faster than tfjs's default truncated normal (seconds for the large presets)
  const ae = buildAutoencoder(arch, 0);
  for (const [net, model] of [
    ['encoder', ae.encoder],
    ['decoder_a', ae.decoderA],
    ['decoder_b', ae.decoderB],
  ] as const) {
    const loaded = await tf.loadLayersModel(fileIOHandler(join(dir, net)));
    model.setWeights(loaded.getWeights());
    loaded.dispose();
  }
  return ae;
}

export interface TrainedModel {
  /** The checkpoint folder the weights came from. */
  dir: string;
  ae: Autoencoder;
  state: TrainingState;
  /** sha256 of the checkpoint's MANIFEST.json: one hash that names these exact weights. */
  fingerprint: string;
}

/** A usable checkpoint of a trained model, found and verified but its networks not built. */
export type FoundCheckpoint = Omit<TrainedModel, 'ae'>;

/**
 * The checkpoint a trained model folder (what `janus train --out` or the `train` stage wrote)
 * offers for inference: the newest one whose checksums match, or `best/`; its state and
 * fingerprint, without building the networks.
 *
 *   findTrainedCheckpoint('weights/demo')   // { dir: 'weights/demo/checkpoints/ckpt-000000860', state, fingerprint }
 */
export function findTrainedCheckpoint(root: string, which: 'latest' | 'best' = 'latest'): FoundCheckpoint {
  if (!existsSync(root)) throw new UserError(`model folder "${root}" does not exist`, 'pass the folder janus train --out wrote (e.g. weights/NAME), or the model/ folder of a run');
  const candidates = which === 'best' ? [join(root, 'best')] : listCheckpoints(root);
  const problems: string[] = [];
  for (const dir of candidates) {
    const problem = existsSync(dir) ? verifyCheckpoint(dir) : 'missing';
    if (problem) {
      problems.push(`${dir}: ${problem}`);
      continue;
    }
    return found(dir);
  }
  throw new UserError(
    `no usable ${which === 'best' ? 'best/ checkpoint' : 'checkpoint'} in model folder "${root}"${problems.length ? ` (${problems.join('; ')})` : ' (no checkpoints/ckpt-* folders)'}`,
    which === 'best' ? 'use --checkpoint latest, or train longer so that a best/ copy is written' : 'train a model into it first (janus train --out), or pass another folder',
  );
}

function found(dir: string): FoundCheckpoint {
  const state = readState(dir);
  return { dir, state, fingerprint: sha256File(join(dir, 'MANIFEST.json')) };
}

/**
 * The networks of a trained model folder, for inference (see findTrainedCheckpoint). The
 * architecture is read from the checkpoint itself.
 *
 *   const m = await loadTrainedModel('weights/demo');   // m.ae.reconstruct(x, 'b')
 */
export async function loadTrainedModel(root: string, which: 'latest' | 'best' = 'latest'): Promise<TrainedModel> {
  const c = findTrainedCheckpoint(root, which);
  return { ...c, ae: await loadNetworks(c.dir, c.state.arch) };
}

/** One checkpoint folder exactly (e.g. the one a swap used), for inference. */
export async function loadCheckpointAt(dir: string): Promise<TrainedModel> {
  const problem = existsSync(dir) ? verifyCheckpoint(dir) : 'missing';
  if (problem) throw new UserError(`checkpoint ${dir} cannot be used: ${problem}`, 'run the swap again (it records the checkpoint it used)');
  const c = found(dir);
  return { ...c, ae: await loadNetworks(dir, c.state.arch) };
}

export { NETS };
