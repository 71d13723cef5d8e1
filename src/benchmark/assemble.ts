/**
 * The dataset a benchmark run leaves, in the layouts detection teams use (FaceForensics++
 * folders, DFDC's metadata.json), built from whatever the DAG made: real and fake videos at
 * every compression level, one replaced-pixel mask video per fake, the sidecars, metadata.json,
 * frames.csv (a label and face box per frame of every video), splits/{train,val,test}.json,
 * FaceForensics++'s pair lists {train,val,test}.json at the root ([target, source] pairs), dropped.json (the quality gate's and the failures' list, benchmark/quality-gate.ts) and a
 * dataset card README.md (benchmark/dataset-card.ts).
 * Files are hard links into the work folder (no copies); every folder and file is built aside
 * and renamed into place.
 *
 *   const summary = await assembleDataset(plan, 'out/bench', outcomes);
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LEVELS, SPLITS, type SplitName } from '../config/benchmark.ts';
import type { StageOutcome } from '../dag/reporter.ts';
import { readAlignments, type AlignmentsDoc } from '../face/alignments-file.ts';
import { readCompositeRecord } from '../swap/composite-record.ts';
import { readMetrics, type SwapMetrics } from '../swap/metrics-file.ts';
import { METHOD } from '../swap/synthetic.ts';
import { linkOrCopy, withAtomicPath, writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.ts';
import { csvRow } from '../util/csv.ts';
import { datasetCard } from './dataset-card.ts';
import { datasetFiles, paths } from './layout.ts';
import { writeMetadata, type BenchmarkMetadata, type MetadataEntry } from './metadata.ts';
import { pairLists } from './pair-lists.ts';
import type { BenchmarkPlan, PlannedFake } from './plan.ts';
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

/** What the assembly gathers while it walks the plan: metadata, drops, frames.csv rows. */
interface Assembly {
  plan: BenchmarkPlan;
  out: string;
  state: Map<string, StageOutcome>;
  metadata: BenchmarkMetadata;
  dropped: Dropped[];
  frameRows: string[];
  alignments: Map<string, AlignmentsDoc>;
}

const finished = (o: StageOutcome | undefined) => !!o && ['ran', 'up-to-date'].includes(o.state);

/** The first stage a fake needs that did not finish, as a reason; null when all did. */
function failure(a: Assembly, f: PlannedFake): string | null {
  for (const stage of stagesOfFake(f, { trained: !a.plan.config.weights })) {
    const o = a.state.get(stage);
    if (!finished(o)) return `stage ${stage} ${o ? o.state.replace('-', ' ') : 'did not run'}${o?.error ? `: ${o.error}` : o?.reason ? `: ${o.reason}` : ''}`;
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

const levelFiles = (kind: 'real' | 'fake', id: string) => Object.fromEntries(LEVELS.map((l) => [l, datasetFiles.video(kind, l, id)])) as MetadataEntry['files'];

/** real/{c0,c23,c40}/: every real video whose ladder and extraction finished. */
async function assembleReal(a: Assembly): Promise<void> {
  await withAtomicPath(join(a.out, 'real'), async (realTmp) => {
    for (const level of LEVELS) mkdirSync(join(realTmp, level), { recursive: true });
    for (const v of a.plan.videos) {
      if (!finished(a.state.get(stageName.ladderReal(v.id))) || !finished(a.state.get(stageName.extract(v.id)))) {
        a.dropped.push({ fake: `${v.id}.mp4 (real)`, stage: 'failed', reason: `stage ${stageName.ladderReal(v.id)} or ${stageName.extract(v.id)} did not finish` });
        continue;
      }
      for (const level of LEVELS) linkOrCopy(join(a.out, paths.ladderVideo('real', v.id, level)), join(realTmp, level, `${v.id}.mp4`));
      const frames = aligned(a, v.id).frames.length;
      a.metadata[`${v.id}.mp4`] = { label: 'REAL', original: null, split: v.split, source: v.identity, target: null, method: null, model: null, frames, framesSwapped: 0, files: levelFiles('real', v.id), mask: null, provenance: null, seed: null, stages: [stageName.ladderReal(v.id)] };
      boxRows(a, `${v.id}.mp4`, v.id, null);
    }
  });
}

/** A fake's quality fields for metadata.json, from its metrics. */
function fakeQuality(m: SwapMetrics): NonNullable<MetadataEntry['quality']> {
  const id = m.identity.swapped;
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    identityShare: id?.closerToTarget ?? null,
    identityMargin: id?.toSource && id.toTarget ? round(id.toSource.median - id.toTarget.median) : null,
    targetDistance: id?.toTarget ? round(id.toTarget.median) : null,
    flicker: m.flicker?.ratio ?? null,
  };
}

/** fake/{c0,c23,c40}/, fake/provenance/ and masks/: every fake that finished and passes the quality gate. */
async function assembleFakes(a: Assembly): Promise<void> {
  await withAtomicPath(join(a.out, 'fake'), async (fakeTmp) => {
    await withAtomicPath(join(a.out, 'masks'), async (maskTmp) => {
      for (const level of LEVELS) mkdirSync(join(fakeTmp, level), { recursive: true });
      mkdirSync(join(fakeTmp, 'provenance'), { recursive: true });
      mkdirSync(maskTmp, { recursive: true });
      for (const f of a.plan.fakes) {
        const failed = failure(a, f);
        if (failed) {
          a.dropped.push({ fake: `${f.id}.mp4`, stage: 'failed', reason: failed });
          continue;
        }
        const m = readMetrics(join(a.out, paths.metrics(f.id)));
        const gate = gateReason(m, a.plan.config);
        if (gate) {
          a.dropped.push({ fake: `${f.id}.mp4`, stage: 'quality-gate', reason: gate });
          continue;
        }
        for (const level of LEVELS) linkOrCopy(join(a.out, paths.ladderVideo('fake', f.id, level)), join(fakeTmp, level, `${f.id}.mp4`));
        linkOrCopy(join(a.out, paths.fakeMask(f.id)), join(maskTmp, `${f.id}.mp4`));
        linkOrCopy(join(a.out, paths.fakeProvenance(f.id)), join(fakeTmp, 'provenance', `${f.id}.provenance.json`));
        const composite = readCompositeRecord(join(a.out, paths.compositeStats(f.id)));
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
          files: levelFiles('fake', f.id),
          mask: datasetFiles.mask(f.id),
          provenance: datasetFiles.provenance(f.id),
          seed: a.plan.models.find((x) => x.key === f.model)?.seed ?? null,
          stages: fakeStages(f, !a.plan.config.weights),
          quality: fakeQuality(m),
        };
        boxRows(a, `${f.id}.mp4`, f.sourceVideo, new Set(composite.swappedFrames));
      }
    });
  });
}

export async function assembleDataset(plan: BenchmarkPlan, out: string, outcomes: readonly StageOutcome[]): Promise<AssembleSummary> {
  const a: Assembly = { plan, out, state: new Map(outcomes.map((o) => [o.name, o])), metadata: {}, dropped: [], frameRows: [csvRow(['file', 'frame', 'label', 'x', 'y', 'width', 'height'])], alignments: new Map() };
  await assembleReal(a);
  faultPoint('assemble.copied');
  await assembleFakes(a);
  const { metadata, dropped } = a;
  const perSplit = Object.fromEntries(SPLITS.map((s) => [s, { real: 0, fake: 0 }])) as AssembleSummary['perSplit'];
  for (const e of Object.values(metadata)) perSplit[e.split][e.label === 'REAL' ? 'real' : 'fake']++;
  faultPoint('assemble.metadata');
  await writeMetadata(out, metadata);
  await writeFileAtomic(join(out, 'frames.csv'), `${a.frameRows.join('\n')}\n`);
  await withAtomicPath(join(out, 'splits'), async (tmp) => {
    mkdirSync(tmp, { recursive: true });
    for (const s of SPLITS) {
      await writeJsonAtomic(join(tmp, `${s}.json`), { split: s, identities: plan.splits[s], files: Object.entries(metadata).filter(([, e]) => e.split === s).map(([k]) => k) });
    }
  });
  const pairs = pairLists(metadata);
  for (const s of SPLITS) await writeJsonAtomic(join(out, datasetFiles.pairList(s)), pairs[s]);
  await writeJsonAtomic(join(out, 'dropped.json'), dropped);
  const summary: AssembleSummary = { real: Object.values(metadata).filter((e) => e.label === 'REAL').length, fake: Object.values(metadata).filter((e) => e.label === 'FAKE').length, dropped, perSplit };
  await writeFileAtomic(join(out, 'README.md'), datasetCard(plan, { ...summary, dropped: dropped.length }));
  return summary;
}
