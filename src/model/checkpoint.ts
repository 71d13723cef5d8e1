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
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { Architecture } from '../config/model.ts';
import { defaultOf } from '../config/parse.ts';
import { TrainConfig } from '../config/train.ts';
import { z } from 'zod';
import { tf } from '../engine/tf.ts';
import { tempPathFor, withAtomicPath, writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.ts';
import { UserError } from '../util/errors.ts';
import { tryReadJsonFile, type FileRead } from '../util/read-json.ts';
import { sha256File } from '../util/hash.ts';
import { buildAutoencoder, type Autoencoder } from './autoencoder.ts';
import { WeightSpecs, fileIOHandler } from './file-io-handler.ts';
import { faultPoint } from '../util/fault-point.ts';

export const TrainingState = z
  .object({
    iteration: z.number().int().min(0),
    arch: Architecture,
    /** Hash of everything that must match to continue the same run (architecture, loss, data…, batch size and learning rate: older checkpoints are checked by it). */
    configHash: z.string(),
    /** The same without the optimiser settings, which may change on resume (absent in older checkpoints). */
    trainHash: z.string().optional(),
    /** The optimiser settings of the run (logged when a resume changes them); lrScale: the learning-rate multiplier after NaN recoveries. */
    optimiser: z.object({ learningRate: z.number().positive(), batchSize: z.number().int().min(1), lrScale: z.number().positive() }).strict().optional(),
    /** Random generator state, so a resumed run draws the same batches. */
    rng: z.array(z.number()),
    /** Losses of the last good step (null: none yet; a NaN is written as null). */
    lossA: z.number().nullable(),
    lossB: z.number().nullable(),
    /** Best score (mean loss A+B over the last 10 iterations) of any checkpoint so far: what best/ holds. */
    bestScore: z.number().nullable().optional(),
    /** This checkpoint was the best so far when saved: `best` is (or, after a kill, will be made) its copy. */
    best: z.literal(true).optional(),
    /** Share of the aligned crop the model sees (model/input.ts); absent in older checkpoints: 1, the whole crop. */
    coverage: z.number().positive().optional(),
    /** The iterations of every checkpoint of the run up to this one (kept or pruned; absent in older checkpoints): where a pinned rerun saves too (best/ depends on them). */
    saves: z.array(z.number().int().min(1)).optional(),
    /** Seconds of training up to this checkpoint, over all runs (time budgets and schedules continue from it). */
    trainSeconds: z.number().min(0).optional(),
    savedAt: z.string().optional(),
  })
  .strict();
export type TrainingState = z.infer<typeof TrainingState>;

const CHECKPOINT_SCHEMA = 'janus.checkpoint/1';

/** MANIFEST.json: the sha256 of every other file of the checkpoint folder. */
const CheckpointManifest = z.object({ schema: z.literal(CHECKPOINT_SCHEMA), sha256: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 (64 hex digits)')) }).strict();
type CheckpointManifest = z.infer<typeof CheckpointManifest>;


/** The coverage a checkpoint's model was trained at (older checkpoints: the whole crop). */
export function checkpointCoverage(state: TrainingState): number {
  return state.coverage ?? 1;
}

/** A named tensor, as optimizers' getWeights/setWeights use. */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** The networks of a checkpoint, each in the folder of its name. */
const NETS = ['encoder', 'decoder_a', 'decoder_b'] as const;
const networks = (ae: Autoencoder) => ({ encoder: ae.encoder, decoder_a: ae.decoderA, decoder_b: ae.decoderB });
const CKPT = /^ckpt-(\d{9})$/;

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), base) : [relative(base, join(dir, e.name))])).sort();
}

function checkpointsDir(root: string): string {
  return join(root, 'checkpoints');
}

/** Checkpoint folders, newest first. */
/** A model folder Janus made: it has checkpoints/ or the loss log training writes first. */
export function isModelFolder(dir: string): boolean {
  return existsSync(checkpointsDir(dir)) || existsSync(join(dir, 'loss.jsonl'));
}

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
    const nets = networks(what.ae);
    for (const net of NETS) await nets[net].save(fileIOHandler(join(tmp, net)));
    const enc = await tf.io.encodeWeights(what.optimizerWeights);
    await writeFileAtomic(join(tmp, 'optimizer.bin'), new Uint8Array(tf.io.CompositeArrayBuffer.join(enc.data)));
    await writeJsonAtomic(join(tmp, 'optimizer.json'), enc.specs);
    await writeJsonAtomic(join(tmp, 'state.json'), { ...what.state, savedAt: new Date().toISOString() });
    const files = listFiles(tmp);
    await writeJsonAtomic(join(tmp, 'MANIFEST.json'), { schema: CHECKPOINT_SCHEMA, sha256: Object.fromEntries(files.map((f) => [f, sha256File(join(tmp, f))])) });
    faultPoint('train.checkpoint');
  });
  pruneCheckpoints(root, opts.keep ?? defaultOf(TrainConfig, 'keep'), target);
  return target;
}

/**
 * Keep the `keep` newest complete checkpoints (manifest and state readable) and `justWritten`
 * whatever happens; remove the rest (older ones, and damaged ones a good one has replaced).
 */
function pruneCheckpoints(root: string, keep: number, justWritten: string): void {
  let kept = 0;
  for (const dir of listCheckpoints(root)) {
    const complete = dir === justWritten || (tryReadJsonFile(join(dir, 'MANIFEST.json'), CheckpointManifest, { what: 'checkpoint manifest' }).ok && tryReadJsonFile(join(dir, 'state.json'), TrainingState, { what: 'training state' }).ok);
    if (dir === justWritten || (complete && kept < keep)) {
      kept++;
      continue;
    }
    if (complete || kept >= 1) rmSync(dir, { recursive: true, force: true }); // a damaged one goes only once a good one is kept
  }
}

const BEST_COPY = /^best-\d{9}$/;

/**
 * Make `<root>/best` the given checkpoint, replaced by one rename: the checkpoint is copied to
 * `best-<iteration>/` (built aside), and `best` is a relative link to it, swapped in by renaming
 * a new link over the old one; a reader sees the old best or the new, never neither. Older
 * copies are removed after. (A `best/` folder from an older Janus is moved aside once.)
 */
export async function saveBest(root: string, checkpoint: string): Promise<void> {
  const copy = `best-${basename(checkpoint).replace(/^ckpt-/, '')}`;
  await withAtomicPath(join(root, copy), async (tmp) => cpSync(checkpoint, tmp, { recursive: true }));
  const best = join(root, 'best');
  const link = tempPathFor(best);
  symlinkSync(copy, link);
  faultPoint('train.best');
  try {
    renameSync(link, best);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'ENOTEMPTY' && code !== 'EEXIST') {
      rmSync(link, { force: true });
      throw err;
    }
    rmSync(best, { recursive: true, force: true }); // a real best/ folder of an older Janus
    renameSync(link, best);
  }
  for (const d of readdirSync(root)) if (BEST_COPY.test(d) && d !== copy) rmSync(join(root, d), { recursive: true, force: true });
}

/** Whether `<root>/best` is the copy of this checkpoint (best-<its iteration>). */
export function isBest(root: string, checkpoint: string): boolean {
  try {
    return readlinkSync(join(root, 'best')) === `best-${basename(checkpoint).replace(/^ckpt-/, '')}`;
  } catch {
    return false;
  }
}

/** The JSON files of a checkpoint folder, read back and validated. */
export interface CheckpointFiles {
  manifest: CheckpointManifest;
  state: TrainingState;
  optimizerSpecs: z.infer<typeof WeightSpecs>;
}

/**
 * A checkpoint folder read back once: its manifest is valid, every checksum matches, and its
 * state and optimizer manifest read back as their schemas; or why it cannot be used (one line).
 * Training and inference both look at a checkpoint through this.
 *
 *   const c = inspectCheckpoint('weights/demo/checkpoints/ckpt-000000860');
 *   c.ok ? c.value.state.iteration : c.problem   // 'checksum mismatch in decoder_b/weights.bin (corrupt or truncated)'
 */
export function inspectCheckpoint(dir: string): FileRead<CheckpointFiles> {
  const bad = (problem: string) => ({ ok: false, problem }) as const;
  if (!existsSync(dir)) return bad('missing');
  const m = join(dir, 'MANIFEST.json');
  if (!existsSync(m)) return bad('no MANIFEST.json (written incompletely)');
  const manifest = tryReadJsonFile(m, CheckpointManifest, { what: 'checkpoint manifest' });
  if (!manifest.ok) return manifest;
  for (const [f, h] of Object.entries(manifest.value.sha256)) {
    const p = join(dir, f);
    if (!existsSync(p)) return bad(`missing ${f}`);
    if (sha256File(p) !== h) return bad(`checksum mismatch in ${f} (corrupt or truncated)`);
  }
  const state = tryReadJsonFile(join(dir, 'state.json'), TrainingState, { what: 'checkpoint state' });
  if (!state.ok) return state;
  const optimizerSpecs = tryReadJsonFile(join(dir, 'optimizer.json'), WeightSpecs, { what: 'optimizer weights manifest' });
  if (!optimizerSpecs.ok) return optimizerSpecs;
  return { ok: true, value: { manifest: manifest.value, state: state.value, optimizerSpecs: optimizerSpecs.value } };
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

/**
 * The newest usable checkpoint of a model folder, its networks built (with `seed`: the run's, so
 * that model.json keeps the initialisers' seeds the run started with) and weights loaded; null
 * when there is none. Every damaged one passed over is in `skipped`, and told to `onSkip` as it
 * is, also when none is left.
 */
export async function loadLatestCheckpoint(root: string, arch: Architecture, opts: { seed?: number; onSkip?: (dir: string, reason: string) => void } = {}): Promise<LoadedCheckpoint | null> {
  const skipped: LoadedCheckpoint['skipped'] = [];
  for (const dir of listCheckpoints(root)) {
    const c = inspectCheckpoint(dir);
    if (!c.ok) {
      skipped.push({ dir, reason: c.problem });
      opts.onSkip?.(dir, c.problem);
      continue;
    }
    const { state, optimizerSpecs } = c.value;
    const diff = architectureDifference(state.arch, arch);
    if (diff) throw new UserError(`the checkpoint in ${root} is of another architecture (${diff})`, `train into a new folder (--out weights/NEW), or use the checkpoint's settings (preset ${state.arch.preset}, upsample ${state.arch.upsample})`);
    const ae = await loadNetworks(dir, arch, opts.seed ?? 0);
    const specs: tf.io.WeightsManifestEntry[] = optimizerSpecs;
    const bin = readFileSync(join(dir, 'optimizer.bin'));
    const map = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), specs);
    const optimizerWeights = specs.map((s) => ({ name: s.name, tensor: map[s.name]! }));
    return { dir, ae, optimizerWeights, state, skipped };
  }
  return null;
}

async function loadNetworks(dir: string, arch: Architecture, seed = 0): Promise<Autoencoder> {
  // every weight is replaced below: seeded, the build draws glorot-uniform values, several times
  // faster than tfjs's default truncated normal (seconds for the large presets); with the run's
  // seed, the initialisers' seeds in model.json are the ones the run started with, so a resumed
  // run saves the same bytes as one never stopped
  const ae = buildAutoencoder(arch, seed);
  const nets = networks(ae);
  for (const net of NETS) {
    const model = nets[net];
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
  /** One hash that names these exact weights and their training state, not the clock (modelFingerprint). */
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
    const c = inspectCheckpoint(dir);
    if (c.ok) return found(dir, c.value);
    problems.push(`${dir}: ${c.problem}`);
  }
  throw new UserError(
    `no usable ${which === 'best' ? 'best/ checkpoint' : 'checkpoint'} in model folder "${root}"${problems.length ? ` (${problems.join('; ')})` : ' (no checkpoints/ckpt-* folders)'}`,
    which === 'best' ? 'use --checkpoint latest, or train longer so that a best/ copy is written' : 'train a model into it first (janus train --out), or pass another folder',
  );
}

function found(dir: string, files: CheckpointFiles): FoundCheckpoint {
  return { dir, state: files.state, fingerprint: modelFingerprint(files) };
}

/**
 * One hash naming a checkpoint's exact weights and training state, and nothing of the clock:
 * the manifest's checksums of every file but state.json, and the state without when it was
 * saved and how long training took (so the same training, run again or killed and resumed,
 * has the same fingerprint, and so do the videos and datasets tagged with it).
 */
function modelFingerprint(files: CheckpointFiles): string {
  const { savedAt: _savedAt, trainSeconds: _trainSeconds, ...state } = files.state;
  const sums = Object.entries(files.manifest.sha256).filter(([f]) => f !== 'state.json').sort(([a], [b]) => (a < b ? -1 : 1));
  return createHash('sha256').update(JSON.stringify({ files: sums, state })).digest('hex');
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
  const files = inspectCheckpoint(dir);
  if (!files.ok) throw new UserError(`checkpoint ${dir} cannot be used: ${files.problem}`, 'run the swap again (it records the checkpoint it used)');
  const c = found(dir, files.value);
  return { ...c, ae: await loadNetworks(dir, c.state.arch) };
}
