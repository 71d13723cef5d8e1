/**
 * The dataset a benchmark run leaves, in the layouts detection teams use (Janus's folders by
 * compression level, or FaceForensics++'s exactly with `layout: ffpp`; DFDC's metadata.json),
 * built from whatever the DAG made: real and fake videos at every compression level, one
 * replaced-pixel mask video per fake, the perturbed copies (DeeperForensics' meta file
 * perturbations.txt beside them), the sidecars, metadata.json,
 * frames.csv (a label and face box per frame of every video), splits/{train,val,test}.json,
 * FaceForensics++'s pair lists {train,val,test}.json at the root ([target, source] pairs), dropped.json (the quality gate's and the failures' list, benchmark/quality-gate.ts) and a
 * dataset card README.md (benchmark/dataset-card.ts).
 * Files are hard links into the work folder (no copies); every folder and file is built aside
 * and renamed into place. A layout's folders left by an earlier assembly in the other layout
 * (named by the metadata.json it wrote) are removed: they only held links into the work folder.
 *
 *   const summary = await assembleDataset(plan, 'out/bench', outcomes);
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LEVELS, SPLITS, type SplitName } from '../config/benchmark.ts';
import type { StageOutcome } from '../dag/reporter.ts';
import { readAlignments, type AlignmentsDoc } from '../face/alignments-file.ts';
import { readCompositeRecord } from '../swap/composite-record.ts';
import { readMetrics, type SwapMetrics } from '../swap/metrics-file.ts';
import { METHOD } from '../swap/synthetic.ts';
import { linkOrCopy, withAtomicPath, writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.ts';
import { csvRow } from '../util/csv.ts';
import { datasetCard, QUALITY_PLOT, qualityRecords } from './dataset-card.ts';
import { qualityPlotPng } from './quality-plot.ts';
import { baselineSection } from './baseline-file.ts';
import { datasetFiles, datasetLayouts, paths, type DatasetLayout } from './layout.ts';
import { readMetadata, writeMetadata, type BenchmarkMetadata, type MetadataEntry } from './metadata.ts';
import { ffppNames } from './ffpp-names.ts';
import { perturbationLabel } from '../config/perturbation.ts';
import { rationalValue } from '../media/probe.ts';
import { rungRate } from '../media/compress.ts';
import type { CompositeRecord } from '../swap/composite-record.ts';
import { pairLists } from './pair-lists.ts';
import type { BenchmarkPlan, PlannedFake, PlannedPerturbation } from './plan.ts';
import { fakeStages, stageName, stagesOfFake } from './stage-names.ts';
import { gateReason } from './quality-gate.ts';
import { faultPoint } from '../util/fault-point.ts';

export interface Dropped {
  fake: string;
  stage: 'quality-gate' | 'failed';
  reason: string;
}

export interface AssembleSummary {
  real: number;
  fake: number;
  dropped: Dropped[];
  perSplit: Record<SplitName, { real: number; fake: number }>;
}

/** A fake that finished and passed the gate, with what its entry needs. */
interface KeptFake {
  f: PlannedFake;
  m: SwapMetrics;
  composite: CompositeRecord;
}

/** What the assembly gathers while it walks the plan: metadata, drops, links, frames.csv rows. */
interface Assembly {
  plan: BenchmarkPlan;
  out: string;
  layout: DatasetLayout;
  state: Map<string, StageOutcome>;
  metadata: BenchmarkMetadata;
  dropped: Dropped[];
  frameRows: string[];
  alignments: Map<string, AlignmentsDoc>;
  /** [work file, dataset file]: the hard links to make. */
  links: Array<[string, string]>;
  /** perturbations.txt's lines. */
  perturbLines: string[];
  perturbationOf: Map<string, PlannedPerturbation>;
}

const finished = (o: StageOutcome | undefined) => !!o && ['ran', 'up-to-date'].includes(o.state);

/** A file's perturbed copy's stage, when it has one in the dataset (usablePerturbations). */
function perturbStages(a: Assembly, kind: 'real' | 'fake', id: string): string[] {
  const p = a.perturbationOf.get(`${kind}-${id}`);
  return p ? [stageName.perturb(p.id)] : [];
}

/**
 * The perturbed copies the dataset can ship: a draw's copies go together (a real video's and its
 * fakes'), so a copy whose stage failed takes its draw's other copies out with it (listed in
 * dropped.json); the videos themselves stay, without a perturbed copy.
 */
function usablePerturbations(a: Assembly): Map<string, PlannedPerturbation> {
  const failedDraws = new Map<string, string>();
  for (const p of a.plan.perturbations) {
    const why = unfinished(a, stageName.perturb(p.id));
    if (why && !failedDraws.has(p.original)) failedDraws.set(p.original, why);
  }
  for (const [original, reason] of failedDraws) a.dropped.push({ fake: `perturbed copies of ${original}.mp4 and its fakes`, stage: 'failed', reason });
  return new Map(a.plan.perturbations.filter((p) => !failedDraws.has(p.original)).map((p) => [p.id, p]));
}

/** Why a stage did not finish (its state and error or reason), or null when it did. */
function unfinished(a: Assembly, stage: string): string | null {
  const o = a.state.get(stage);
  if (finished(o)) return null;
  return `stage ${stage} ${o ? o.state.replace('-', ' ') : 'did not run'}${o?.error ? `: ${o.error}` : o?.reason ? `: ${o.reason}` : ''}`;
}

/** The first stage a fake needs that did not finish, as a reason; null when all did. */
function failure(a: Assembly, f: PlannedFake): string | null {
  for (const stage of stagesOfFake(f, { trained: !a.plan.config.weights })) {
    const why = unfinished(a, stage);
    if (why) return why;
  }
  return null;
}

function aligned(a: Assembly, video: string): AlignmentsDoc {
  if (!a.alignments.has(video)) a.alignments.set(video, readAlignments(join(a.out, paths.alignments(video))));
  return a.alignments.get(video)!;
}

/** frames.csv rows of one video: per frame the label (1 where swapped) and the kept face's box. */
function boxRows(a: Assembly, file: string, video: string, swapped: Set<number> | null): void {
  for (const fr of aligned(a, video).frames) {
    const b = fr.faces.find((x) => x.kept)?.box;
    const label = swapped?.has(fr.index) ? 1 : 0;
    a.frameRows.push(csvRow([file, fr.index, label, ...(b ? [b.x, b.y, b.width, b.height].map((v) => v.toFixed(1)) : ['', '', '', ''])]));
  }
}

/** Link a video's ladder (and its perturbed copy) under `name`; its entry's files, and its perturbed record. */
function linkVideo(a: Assembly, kind: 'real' | 'fake', id: string, name: string): { files: MetadataEntry['files']; perturbed: MetadataEntry['perturbed'] } {
  const files = Object.fromEntries(LEVELS.map((l) => [l, a.layout.video(kind, l, name)])) as MetadataEntry['files'];
  for (const l of LEVELS) a.links.push([paths.ladderVideo(kind, id, l), files[l]]);
  const p = a.perturbationOf.get(`${kind}-${id}`);
  if (!p) return { files, perturbed: null };
  const file = a.layout.perturbed(kind, name);
  const labels = p.perturbations.map(perturbationLabel);
  a.links.push([paths.perturbedVideo(kind, id), file]);
  a.perturbLines.push(`${file} ${labels.join(' ')}`);
  return { files, perturbed: { file, perturbations: labels } };
}

/** The real videos whose ladder and extraction finished. */
function keptReals(a: Assembly): BenchmarkPlan['videos'] {
  return a.plan.videos.filter((v) => {
    const why = unfinished(a, stageName.ladderReal(v.id)) ?? unfinished(a, stageName.extract(v.id));
    if (why) a.dropped.push({ fake: `${v.id}.mp4 (real)`, stage: 'failed', reason: why });
    return !why;
  });
}

/** The frames a fake could swap: all, or those inside its partial spans. */
function possibleFrames(c: CompositeRecord): number {
  return c.partialFrames ? c.partialFrames.reduce((n, [s, e]) => n + e - s + 1, 0) : c.frames.total;
}

/** The fakes that finished and pass the quality gate (a partial fake's share of frames swapped counts inside its spans). */
function keptFakes(a: Assembly): KeptFake[] {
  const kept: KeptFake[] = [];
  for (const f of a.plan.fakes) {
    const failed = failure(a, f);
    if (failed) {
      a.dropped.push({ fake: `${f.id}.mp4`, stage: 'failed', reason: failed });
      continue;
    }
    const m = readMetrics(join(a.out, paths.metrics(f.id)));
    const composite = readCompositeRecord(join(a.out, paths.compositeStats(f.id)));
    const gate = gateReason({ ...m, frames: { total: possibleFrames(composite), swapped: composite.frames.swapped } }, a.plan.config);
    if (gate) {
      a.dropped.push({ fake: `${f.id}.mp4`, stage: 'quality-gate', reason: gate });
      continue;
    }
    kept.push({ f, m, composite });
  }
  return kept;
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** A fake's quality fields for metadata.json, from its metrics and composite record. */
function fakeQuality(m: SwapMetrics, c: CompositeRecord): NonNullable<MetadataEntry['quality']> {
  const id = m.identity.swapped;
  const possible = possibleFrames(c);
  return {
    identityShare: id?.closerToTarget ?? null,
    identityMargin: id?.toSource && id.toTarget ? round4(id.toSource.median - id.toTarget.median) : null,
    targetDistance: id?.toTarget ? round4(id.toTarget.median) : null,
    flicker: m.flicker?.ratio ?? null,
    maskSsim: m.maskSsim ? round4(m.maskSsim.mean) : null,
    swappedShare: possible ? round4(Math.min(1, c.frames.swapped / possible)) : null,
  };
}

/** A partial fake's spans in frames and seconds. */
function partialRecord(a: Assembly, k: KeptFake): MetadataEntry['partial'] {
  const ranges = k.composite.partialFrames;
  if (!ranges) return null;
  // the rate the rungs are timed at (the alignments' rate is the decoded one: a VFR video's resampling rate)
  const rate = rationalValue(rungRate({ fps: aligned(a, k.f.sourceVideo).video.fps }));
  const t = (frame: number) => round4(frame / rate);
  return { frames: ranges, seconds: ranges.map(([s, e]) => [t(s), t(e + 1)] as [number, number]) };
}

function realEntries(a: Assembly, reals: BenchmarkPlan['videos'], nameOf: (id: string) => string): void {
  for (const v of reals) {
    const { files, perturbed } = linkVideo(a, 'real', v.id, nameOf(v.id));
    const frames = aligned(a, v.id).frames.length;
    a.metadata[`${v.id}.mp4`] = { label: 'REAL', original: null, split: v.split, source: v.identity, target: null, method: null, model: null, frames, framesSwapped: 0, files, mask: null, provenance: null, seed: null, stages: [stageName.ladderReal(v.id)], partial: null, perturbed };
    boxRows(a, `${v.id}.mp4`, v.id, null);
  }
}

function fakeEntries(a: Assembly, kept: KeptFake[], namesOf: (id: string) => string[]): void {
  for (const k of kept) {
    const { f, m, composite } = k;
    const [name, ...more] = namesOf(f.id);
    const { files, perturbed } = linkVideo(a, 'fake', f.id, name!);
    const mask = a.layout.mask(name!);
    const sidecar = a.layout.provenance(name!);
    a.links.push([paths.fakeMask(f.id), mask], [paths.fakeProvenance(f.id), sidecar]);
    for (const extra of more) {
      // the same fake under another FF++ name (ffpp-names.ts): the same files
      linkVideo(a, 'fake', f.id, extra);
      a.links.push([paths.fakeMask(f.id), a.layout.mask(extra)], [paths.fakeProvenance(f.id), a.layout.provenance(extra)]);
    }
    a.metadata[`${f.id}.mp4`] = {
      label: 'FAKE',
      original: `${f.sourceVideo}.mp4`,
      split: f.split,
      source: f.source,
      target: f.target,
      method: METHOD,
      model: m.model.fingerprint,
      frames: m.frames.total,
      framesSwapped: m.frames.swapped,
      files,
      mask,
      provenance: sidecar,
      seed: a.plan.models.find((x) => x.key === f.model)?.seed ?? null,
      stages: [...fakeStages(f, !a.plan.config.weights), ...perturbStages(a, 'fake', f.id)],
      quality: fakeQuality(m, composite),
      partial: partialRecord(a, k),
      perturbed,
    };
    boxRows(a, `${f.id}.mp4`, f.sourceVideo, new Set(composite.swappedFrames));
  }
}

/** Where the assembly notes the layout it is writing, before it links (an interrupted switch leaves its folders known). */
const layoutMarker = (out: string) => join(out, '.janus', 'dataset-layout.json');

/** The layouts' folders (every one's) under which `file` lies, if any. */
const layoutFolderOf = (file: string) => Object.values(datasetLayouts).flatMap((l) => l.folders).find((d) => file.startsWith(`${d}/`));

/**
 * The folders of another layout an earlier assembly wrote: those its metadata.json names files
 * in, and those the marker says an interrupted assembly was writing. Only the layouts' own
 * folders (e.g. manipulated_sequences/Deepfakes, never manipulated_sequences itself).
 */
function staleFolders(out: string, layout: DatasetLayout): string[] {
  const named: string[] = [];
  if (existsSync(join(out, datasetFiles.metadata))) {
    try {
      named.push(...Object.values(readMetadata(out)).flatMap((e) => [...Object.values(e.files), e.mask ?? '', e.provenance ?? '', e.perturbed?.file ?? '']));
    } catch {
      // not a dataset we can read: its files are left as they are
    }
  }
  try {
    const marked = JSON.parse(readFileSync(layoutMarker(out), 'utf8')) as { folders?: unknown };
    if (Array.isArray(marked.folders)) named.push(...marked.folders.filter((f): f is string => typeof f === 'string').map((f) => `${f}/x`));
  } catch {
    // no marker (a dataset made before it, or none yet)
  }
  const mine = new Set(layout.folders);
  return [...new Set(named.map(layoutFolderOf).filter((d): d is string => !!d))].filter((d) => !mine.has(d));
}

/** Remove a stale layout folder, and its parent when that is left empty (original_sequences/ of an ffpp layout). */
function removeFolder(out: string, folder: string): void {
  rmSync(join(out, folder), { recursive: true, force: true });
  const parent = dirname(folder);
  if (parent !== '.' && existsSync(join(out, parent)) && !readdirSync(join(out, parent)).length) rmSync(join(out, parent), { recursive: true, force: true });
}

/** Make the links, one layout folder at a time, each built aside and renamed into place (what else lies beside it stays). */
async function writeLinks(a: Assembly): Promise<void> {
  mkdirSync(dirname(layoutMarker(a.out)), { recursive: true });
  await writeJsonAtomic(layoutMarker(a.out), { layout: a.plan.config.layout, folders: a.layout.folders });
  for (const folder of a.layout.folders) {
    mkdirSync(dirname(join(a.out, folder)), { recursive: true });
    await withAtomicPath(join(a.out, folder), async (tmp) => {
      mkdirSync(tmp, { recursive: true });
      for (const [from, to] of a.links) {
        if (!to.startsWith(`${folder}/`)) continue;
        const dest = join(tmp, to.slice(folder.length + 1));
        mkdirSync(dirname(dest), { recursive: true });
        linkOrCopy(join(a.out, from), dest);
      }
    });
    if (folder === a.layout.folders[0]) faultPoint('assemble.copied');
  }
}

export async function assembleDataset(plan: BenchmarkPlan, out: string, outcomes: readonly StageOutcome[]): Promise<AssembleSummary> {
  const layoutName = plan.config.layout;
  const a: Assembly = {
    plan,
    out,
    layout: datasetLayouts[layoutName],
    state: new Map(outcomes.map((o) => [o.name, o])),
    metadata: {},
    dropped: [],
    frameRows: [csvRow(['file', 'frame', 'label', 'x', 'y', 'width', 'height'])],
    alignments: new Map(),
    links: [],
    perturbLines: [],
    perturbationOf: new Map(),
  };
  a.perturbationOf = usablePerturbations(a);
  const stale = staleFolders(out, a.layout);
  const reals = keptReals(a);
  const fakes = keptFakes(a);
  const ffpp = layoutName === 'ffpp' ? ffppNames(plan, new Set(fakes.map((k) => k.f.id))) : null;
  realEntries(a, reals, (id) => ffpp?.video.get(id) ?? id);
  fakeEntries(a, fakes, (id) => ffpp?.fake.get(id) ?? [id]);
  await writeLinks(a);
  const { metadata, dropped } = a;
  const perSplit = Object.fromEntries(SPLITS.map((s) => [s, { real: 0, fake: 0 }])) as AssembleSummary['perSplit'];
  for (const e of Object.values(metadata)) perSplit[e.split][e.label === 'REAL' ? 'real' : 'fake']++;
  faultPoint('assemble.metadata');
  await writeMetadata(out, metadata);
  for (const d of stale) removeFolder(out, d);
  await writeFileAtomic(join(out, 'frames.csv'), `${a.frameRows.join('\n')}\n`);
  await withAtomicPath(join(out, 'splits'), async (tmp) => {
    mkdirSync(tmp, { recursive: true });
    for (const s of SPLITS) {
      await writeJsonAtomic(join(tmp, `${s}.json`), { split: s, identities: plan.splits[s], files: Object.entries(metadata).filter(([, e]) => e.split === s).map(([k]) => k) });
    }
  });
  const pairs = ffpp?.pairs ?? pairLists(metadata);
  for (const s of SPLITS) await writeJsonAtomic(join(out, datasetFiles.pairList(s)), pairs[s]);
  if (plan.perturbations.length) await writeFileAtomic(join(out, datasetFiles.perturbations), a.perturbLines.sort().map((l) => `${l}\n`).join(''));
  else rmSync(join(out, datasetFiles.perturbations), { force: true });
  if (ffpp) {
    await writeJsonAtomic(join(out, datasetFiles.ffppMapping), {
      what: "FaceForensics++ names of this dataset's files and the Janus ids they stand for (metadata.json is keyed by the Janus ids)",
      videos: Object.fromEntries([...ffpp.video].filter(([id]) => metadata[`${id}.mp4`]).map(([id, n]) => [n, id])),
      fakes: Object.fromEntries([...ffpp.fake].flatMap(([id, names]) => names.map((n) => [n, id])).sort()),
    });
  } else rmSync(join(out, datasetFiles.ffppMapping), { force: true });
  await writeJsonAtomic(join(out, 'dropped.json'), dropped);
  const summary: AssembleSummary = { real: Object.values(metadata).filter((e) => e.label === 'REAL').length, fake: Object.values(metadata).filter((e) => e.label === 'FAKE').length, dropped, perSplit };
  await writeFileAtomic(join(out, QUALITY_PLOT), await qualityPlotPng(qualityRecords(metadata)));
  await writeFileAtomic(join(out, 'README.md'), datasetCard(plan, { ...summary, dropped: dropped.length }, metadata, baselineSection(out)));
  return summary;
}
