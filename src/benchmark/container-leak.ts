/**
 * Container leaks: can a detector tell a benchmark's real videos from its fakes by anything
 * outside the pixels? Reads every container and stream field of a file (`containerFeatures`),
 * lists the fields in which a real video and its fake at the same rung differ
 * (`identicalFields`), and trains classifiers on the fields alone (`leakReport`): one decision
 * stump per field and a logistic regression on all of them, evaluated leave-one-group-out (a
 * fake is held out with the real video it was made from, at every rung; `folds: 10` deals
 * the groups to ten folds instead, for datasets of many hundred videos).
 *
 *   const f = await containerFeatures('bench/fake/c23/anna-01__ben.mp4');
 *   f['video0.r_frame_rate']   // '25/1'
 *   f['video0.x264.crf']       // 23
 *   identicalFields(realF, fakeF)                     // [] when nothing but provenance and size differ
 *   leakReport(samples, { exclude: excludeProvenanceAndSize })
 *   // { chance: 0.5, logistic: { accuracy: 0.5, auc: 0.5 }, best: { feature, accuracy, rule }, … }
 *
 * Feature names (values are numbers where ffprobe's value is numeric, strings otherwise; tag
 * values always strings):
 *   format.<field>               every scalar of ffprobe's format: format_name, duration, size,
 *                                bit_rate, nb_streams, start_time, probe_score, … (not filename)
 *   format.tag.<key>             every container tag (major_brand, comment, janus_*, …)
 *   format.streams               the stream types in order, e.g. 'video,audio'
 *   format.bytes_per_second      file size / duration
 *   <type><n>.<field>            every scalar of the n-th stream of that type (video0, audio0,
 *                                data0, subtitle0; stream<i> for others): codec_name, profile,
 *                                level, pix_fmt, width, height, sample_aspect_ratio,
 *                                r_frame_rate, avg_frame_rate, time_base, start_pts, nb_frames,
 *                                duration, duration_ts, bit_rate, has_b_frames, refs,
 *                                color_range/space/transfer/primaries, chroma_location,
 *                                field_order, sample_rate, channels, channel_layout,
 *                                extradata_size, extradata_hash (CRC32 of the SPS/PPS or
 *                                AudioSpecificConfig), …
 *   <type><n>.disposition.<key>  the stream's disposition flags
 *   <type><n>.tag.<key>          every stream tag (handler_name, vendor_id, language, encoder, …)
 *   <type><n>.side_data.<type>.<field>  side data (display matrix rotation, …)
 *   video0.x264.<option>         the encoder settings x264 (or x265: video0.x265.*) writes into
 *                                the bitstream, an SEI that ffprobe does not show:
 *                                video0.x264.version ('core 164 r3095 baee400'), crf, preset's
 *                                effects (ref, subme, bframes, me, …), threads, keyint, …
 *
 * Two kinds of feature are set apart (`featureKind`):
 *   provenance  the tags whose purpose is to say what a file is (PROVENANCE_TAGS): a fake's
 *               synthetic mark (swap/synthetic.ts syntheticTags, written by the composite
 *               stage and kept down the ladder) and a real video's dataset label (the
 *               `ladder-real` stage in plan.ts). They separate real from fake on purpose.
 *   size        file size and bit rates (format.size, *.bit_rate, format.bytes_per_second):
 *               what the frames cost to code, so a function of the pixels, which differ
 *               between a real video and its fake by design.
 * Everything else is a setting, which must not differ between a real video and its fake.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { ffprobeJson, requireInputFile } from '../media/probe.ts';
import { accuracy, rocAuc, trainLogistic } from './classifier.ts';

export type FeatureValue = string | number;
export type Features = Record<string, FeatureValue>;

/**
 * The tag keys that mark a file as synthetic or real, at any level (container or stream).
 * Fakes: `comment` ("SYNTHETIC: face-swap deepfake made by Janus …"), `synthetic` ("true"),
 * `janus_method`, `janus_content`, `janus_direction`, `janus_model` (the model's fingerprint),
 * `janus_sidecar` (the provenance JSON's name): swap/synthetic.ts `syntheticTags`.
 * Reals: `comment` ("REAL video in a Janus deepfake-detection benchmark …"),
 * `janus_dataset_label` ("REAL"), `janus_dataset_id` (the video's id): plan.ts `ladder-real`.
 * A test checks this list covers both.
 */
export const PROVENANCE_TAGS: readonly string[] = Object.freeze([
  'comment',
  'synthetic',
  'janus_method',
  'janus_content',
  'janus_direction',
  'janus_model',
  'janus_sidecar',
  'janus_dataset_label',
  'janus_dataset_id',
]);

/** The last part of a feature name that makes it a size feature. */
const SIZE_FIELDS = new Set(['size', 'bit_rate', 'max_bit_rate', 'bytes_per_second']);

export type FeatureKind = 'provenance' | 'size' | 'setting';

export function featureKind(name: string): FeatureKind {
  const parts = name.split('.');
  const tagAt = parts.indexOf('tag');
  if (tagAt >= 0 && PROVENANCE_TAGS.includes(parts.slice(tagAt + 1).join('.').toLowerCase())) return 'provenance';
  if (tagAt < 0 && SIZE_FIELDS.has(parts.at(-1)!)) return 'size';
  return 'setting';
}

export const isProvenance = (name: string): boolean => featureKind(name) === 'provenance';
export const isSize = (name: string): boolean => featureKind(name) === 'size';
/** The exclusion for asking "do the settings leak?": provenance tags and sizes out. */
export const excludeProvenanceAndSize = (name: string): boolean => featureKind(name) !== 'setting';

// ---------------------------------------------------------------- reading a file

/** ffprobe fields that say how the file was probed, not what it is. */
const SKIP = new Set(['filename', 'nb_read_packets', 'nb_read_frames']);
const NUMERIC = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;

function scalar(v: unknown, convert: boolean): FeatureValue | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') return undefined;
  return convert && NUMERIC.test(v) ? Number(v) : v;
}

/**
 * The encoder settings an x264 or x265 bitstream carries as text (an SEI in the first access
 * unit): `x264 - core 164 r3095 baee400 - H.264/MPEG-4 AVC codec - … - options: cabac=1 ref=3 …`.
 * Null when `bytes` holds none.
 */
export function encoderSettings(bytes: Uint8Array): { encoder: 'x264' | 'x265'; version: string; options: Record<string, FeatureValue> } | null {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const m = /(x264) - (core [^\0]*?) - [^\0]*? - options: ([^\0]*)|(x265) \(build ([^)\0]*)\)[^\0]*? - options: ([^\0]*)/.exec(text);
  if (!m) return null;
  const encoder = (m[1] ?? m[4]) as 'x264' | 'x265';
  const version = (m[2] ?? m[5])!.trim();
  const options: Record<string, FeatureValue> = {};
  // the string ends at the SEI's NUL; stop at the first byte that is not printable
  const raw = (m[3] ?? m[6])!.replace(/[^\x20-\x7e][\s\S]*$/, '');
  for (const word of raw.split(' ')) {
    const eq = word.indexOf('=');
    if (eq > 0) options[word.slice(0, eq)] = scalar(word.slice(eq + 1), true)!;
    else if (word) options[word] = 'on'; // x265 writes flags as `no-…` / bare words
  }
  return { encoder, version, options };
}

/** Bytes `[pos, pos + size)` of a file. */
function readRange(file: string, pos: number, size: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(size);
    const n = readSync(fd, buf, 0, size, pos);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Where no packet position is known, the settings are looked for in the file's first bytes. */
const SCAN_BYTES = 16 << 20;

/** Packets read along with the container, to find the first video packet among them. */
const HEAD_PACKETS = 16;

interface PacketPos {
  stream_index?: number;
  pos?: string;
  size?: string;
}

/** The first video packet's bytes (where x264 writes its settings): among `head`, else asked for alone, else the file's first bytes. */
async function firstVideoPacket(file: string, videoIndex: number, head: readonly PacketPos[]): Promise<Buffer> {
  let p = head.find((x) => x.stream_index === videoIndex);
  if (!p) {
    const j = await ffprobeJson(file, ['-select_streams', String(videoIndex), '-read_intervals', '%+#1', '-show_entries', 'packet=pos,size'], 'the first video packet');
    p = (j.packets as PacketPos[] | undefined)?.[0];
  }
  const pos = Number(p?.pos);
  const size = Number(p?.size);
  return Number.isInteger(pos) && pos >= 0 && size > 0 ? readRange(file, pos, size) : readRange(file, 0, SCAN_BYTES);
}

function flatten(out: Features, prefix: string, obj: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(obj)) {
    if (SKIP.has(k)) continue;
    if (k === 'tags' && v && typeof v === 'object') {
      for (const [tk, tv] of Object.entries(v as Record<string, unknown>)) out[`${prefix}.tag.${tk}`] = String(tv);
    } else if (k === 'disposition' && v && typeof v === 'object') {
      for (const [dk, dv] of Object.entries(v as Record<string, unknown>)) {
        const s = scalar(dv, true);
        if (s !== undefined) out[`${prefix}.disposition.${dk}`] = s;
      }
    } else if (k === 'side_data_list' && Array.isArray(v)) {
      for (const sd of v as Array<Record<string, unknown>>) {
        const type = String(sd.side_data_type ?? 'unknown').toLowerCase().replace(/[^a-z0-9]+/g, '_');
        for (const [sk, sv] of Object.entries(sd)) {
          const s = sk === 'side_data_type' ? undefined : scalar(sv, true);
          if (s !== undefined) out[`${prefix}.side_data.${type}.${sk}`] = s;
        }
      }
    } else {
      const s = scalar(v, true);
      if (s !== undefined) out[`${prefix}.${k}`] = s;
    }
  }
}

/**
 * Every container and stream field of a media file, its tags, its encoder settings and its
 * size per second, by the names in the header. A missing or unreadable file is a UserError.
 */
export async function containerFeatures(file: string): Promise<Features> {
  requireInputFile(file, 'media');
  const args = ['-show_format', '-show_streams', '-show_data_hash', 'CRC32', '-show_entries', 'packet=stream_index,pos,size', '-read_intervals', `%+#${HEAD_PACKETS}`];
  const j = await ffprobeJson(file, args, 'the container');
  const out: Features = {};
  const format = (j.format ?? {}) as Record<string, unknown>;
  flatten(out, 'format', format);
  const streams = (j.streams ?? []) as Array<Record<string, unknown>>;
  const seen = new Map<string, number>();
  const known = new Set(['video', 'audio', 'subtitle', 'data', 'attachment']);
  for (const s of streams) {
    const type = String(s.codec_type ?? '');
    const n = seen.get(type) ?? 0;
    seen.set(type, n + 1);
    flatten(out, known.has(type) ? `${type}${n}` : `stream${String(s.index)}`, s);
  }
  out['format.streams'] = streams.map((s) => String(s.codec_type ?? 'unknown')).join(',');
  const size = Number(format.size);
  const duration = Number(format.duration);
  if (size > 0 && duration > 0) out['format.bytes_per_second'] = size / duration;
  const video = streams.find((s) => s.codec_type === 'video');
  if (video) {
    const enc = encoderSettings(await firstVideoPacket(file, Number(video.index), (j.packets ?? []) as PacketPos[]));
    if (enc) {
      out[`video0.${enc.encoder}.version`] = enc.version;
      for (const [k, v] of Object.entries(enc.options)) out[`video0.${enc.encoder}.${k}`] = v;
    }
  }
  return out;
}

// ---------------------------------------------------------------- comparing a pair

export interface FieldDifference {
  feature: string;
  /** The value in the real video; null when it has no such field. */
  real: FeatureValue | null;
  fake: FeatureValue | null;
}

/**
 * The fields in which a real video and its fake (at the same rung) differ, provenance tags and
 * sizes left out: each one a detector could learn instead of the face. Empty when none.
 */
export function identicalFields(real: Features, fake: Features): FieldDifference[] {
  const names = [...new Set([...Object.keys(real), ...Object.keys(fake)])].filter((n) => featureKind(n) === 'setting').sort();
  return names.filter((n) => real[n] !== fake[n]).map((n) => ({ feature: n, real: real[n] ?? null, fake: fake[n] ?? null }));
}

// ---------------------------------------------------------------- classifiers on the fields

export interface LeakSample {
  features: Features;
  /** 0 real, 1 fake. */
  label: 0 | 1;
  /** The real video a fake was made from, or a real video's own id: held out together. */
  group: string;
}

export interface StumpScore {
  feature: string;
  /** Held-out accuracy of the one-field rule (leave-one-group-out). */
  accuracy: number;
  /** The rule as trained on every sample, e.g. `video0.x264.crf > 24.5 → fake`. */
  rule: string;
}

export interface LeakReport {
  samples: number;
  groups: number;
  /** Features the classifiers saw (after `exclude`). */
  features: number;
  /** The majority class's share: what always guessing it scores. */
  chance: number;
  /** Logistic regression on every feature (numeric, and categorical one-hot), held out as the stumps. */
  logistic: { accuracy: number; auc: number | null };
  /** The single field that tells real from fake best (null when no feature is left). */
  best: StumpScore | null;
  /** Every feature's stump, best first. */
  stumps: StumpScore[];
}

const MISSING = '∅';

interface Column {
  name: string;
  numeric: boolean;
}

/** A feature is numeric when every sample that has it has a number. */
function columnsOf(samples: readonly LeakSample[], exclude: (name: string) => boolean): Column[] {
  const numeric = new Map<string, boolean>();
  for (const s of samples) for (const [k, v] of Object.entries(s.features)) if (!exclude(k)) numeric.set(k, (numeric.get(k) ?? true) && typeof v === 'number');
  return [...numeric.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, num]) => ({ name, numeric: num }));
}

const numberOf = (v: FeatureValue | undefined): number => (typeof v === 'number' ? v : NaN);
const categoryOf = (v: FeatureValue | undefined): string => (v === undefined ? MISSING : String(v));

/** One field, one test: `x == value` (categorical) or `x > threshold` (numeric; missing is false), giving class `when` when it holds; no test: always `when`. */
interface Stump {
  test: ((v: FeatureValue | undefined) => boolean) | null;
  when: 0 | 1;
  describe: string;
}

const className = (y: 0 | 1) => (y ? 'fake' : 'real');

/**
 * The best one-field rule on these samples, by accuracy; a rule replaces the constant guess of
 * the majority only when strictly better, so a field that says nothing keeps it. O(n log n).
 */
function fitStump(col: Column, values: readonly (FeatureValue | undefined)[], labels: readonly number[]): Stump {
  const n = labels.length;
  const n1 = labels.filter((y) => y === 1).length;
  const n0 = n - n1;
  const base: 0 | 1 = n1 * 2 > n ? 1 : 0;
  let best: Stump = { test: null, when: base, describe: `always ${className(base)}` };
  let bestCorrect = base ? n1 : n0;
  // t1, t0: labels 1 and 0 among the samples where the test holds
  const consider = (t1: number, t0: number, make: (when: 0 | 1) => Stump) => {
    for (const when of [1, 0] as const) {
      const correct = when === 1 ? t1 + (n0 - t0) : t0 + (n1 - t1);
      if (correct > bestCorrect) {
        bestCorrect = correct;
        best = make(when);
      }
    }
  };
  if (col.numeric) {
    const present = values.flatMap((v, i) => (typeof v === 'number' && Number.isFinite(v) ? [{ x: v, y: labels[i]! }] : [])).sort((a, b) => a.x - b.x);
    let t1 = present.filter((p) => p.y === 1).length;
    let t0 = present.length - t1;
    // x > -Infinity: the field is present
    if (present.length < n) consider(t1, t0, (when) => ({ test: (v) => Number.isFinite(numberOf(v)), when, describe: `${col.name} present → ${className(when)}` }));
    for (let i = 0; i < present.length - 1; i++) {
      if (present[i]!.y === 1) t1--;
      else t0--;
      if (present[i]!.x === present[i + 1]!.x) continue;
      const cut = (present[i]!.x + present[i + 1]!.x) / 2;
      consider(t1, t0, (when) => ({ test: (v) => numberOf(v) > cut, when, describe: `${col.name} > ${cut} → ${className(when)}` }));
    }
  } else {
    const counts = new Map<string, [number, number]>();
    values.forEach((v, i) => {
      const c = counts.get(categoryOf(v)) ?? [0, 0];
      c[labels[i] === 1 ? 1 : 0]++;
      counts.set(categoryOf(v), c);
    });
    for (const [cat, [c0, c1]] of counts) consider(c1, c0, (when) => ({ test: (v) => categoryOf(v) === cat, when, describe: `${col.name} = ${JSON.stringify(cat)} → ${className(when)}` }));
  }
  return best;
}

const predict = (s: Stump, v: FeatureValue | undefined): 0 | 1 => (s.test === null ? s.when : s.test(v) ? s.when : ((1 - s.when) as 0 | 1));

/** The design matrix of a training fold: numeric columns (mean-imputed, with a missing flag when some lack it) and one-hot categories seen in training. */
function encoder(cols: readonly Column[], train: readonly LeakSample[]): (f: Features) => Float64Array {
  const parts: Array<(f: Features, out: number[]) => void> = [];
  for (const c of cols) {
    const vals = train.map((s) => s.features[c.name]);
    if (c.numeric) {
      const present = vals.map(numberOf).filter(Number.isFinite);
      if (!present.length) continue;
      const mean = present.reduce((a, b) => a + b, 0) / present.length;
      const someMissing = present.length < vals.length;
      if (!someMissing && present.every((x) => x === present[0])) continue; // constant in training: says nothing
      parts.push((f, out) => {
        const x = numberOf(f[c.name]);
        out.push(Number.isFinite(x) ? x : mean);
        if (someMissing) out.push(Number.isFinite(x) ? 0 : 1);
      });
    } else {
      const cats = [...new Set(vals.map(categoryOf))];
      if (cats.length < 2) continue;
      parts.push((f, out) => {
        const v = categoryOf(f[c.name]);
        for (const cat of cats) out.push(v === cat ? 1 : 0);
      });
    }
  }
  return (f) => {
    const out: number[] = [];
    for (const p of parts) p(f, out);
    return Float64Array.from(out);
  };
}

export interface LeakOptions {
  /** Leave these features out (e.g. `isProvenance`, `excludeProvenanceAndSize`); default none. */
  exclude?: (name: string) => boolean;
  /**
   * Hold out groups in this many folds (groups dealt to folds in sorted order) instead of one
   * group at a time: for datasets of many hundred videos, where one fit per group is slow.
   * Default: one fold per group (leave-one-group-out).
   */
  folds?: number;
}

/**
 * How well container fields alone tell real (0) from fake (1): a stump per field and a
 * logistic regression on all, each trained on every group but one and tested on that one, for
 * every group (a fake is never judged by a model that saw its real original).
 */
export function leakReport(samples: readonly LeakSample[], opts: LeakOptions = {}): LeakReport {
  const exclude = opts.exclude ?? (() => false);
  const groups = [...new Set(samples.map((s) => s.group))].sort();
  if (groups.length < 2) throw new Error(`leakReport: expected samples from at least 2 groups (leave-one-group-out), got ${groups.length}`);
  const k = Math.min(groups.length, opts.folds ?? groups.length);
  if (!(k >= 2) || !Number.isInteger(k)) throw new Error(`leakReport: expected folds to be an integer of at least 2, got ${opts.folds}`);
  const foldOf = new Map(groups.map((g, i) => [g, i % k]));
  const labels = samples.map((s) => s.label);
  const pos = labels.filter((y) => y === 1).length;
  const chance = Math.max(pos, samples.length - pos) / samples.length;
  const cols = columnsOf(samples, exclude);
  const folds = Array.from({ length: k }, (_, f) => ({
    test: samples.flatMap((s, i) => (foldOf.get(s.group) === f ? [i] : [])),
    train: samples.flatMap((s, i) => (foldOf.get(s.group) === f ? [] : [i])),
  }));

  const stumps: StumpScore[] = cols.map((c) => {
    const values = samples.map((s) => s.features[c.name]);
    let correct = 0;
    for (const f of folds) {
      const st = fitStump(c, f.train.map((i) => values[i]), f.train.map((i) => labels[i]!));
      for (const i of f.test) if (predict(st, values[i]) === labels[i]) correct++;
    }
    return { feature: c.name, accuracy: correct / samples.length, rule: fitStump(c, values, labels).describe };
  });
  stumps.sort((a, b) => b.accuracy - a.accuracy || (a.feature < b.feature ? -1 : 1));

  const scores = new Array<number>(samples.length).fill(0.5);
  for (const f of folds) {
    const train = f.train.map((i) => samples[i]!);
    const enc = encoder(cols, train);
    const clf = trainLogistic(train.map((s) => enc(s.features)), train.map((s) => s.label));
    for (const i of f.test) scores[i] = clf.score(enc(samples[i]!.features));
  }
  return {
    samples: samples.length,
    groups: groups.length,
    features: cols.length,
    chance,
    logistic: { accuracy: accuracy(scores, labels) ?? 0, auc: rocAuc(scores, labels) },
    best: stumps[0] ?? null,
    stumps,
  };
}
