/**
 * The dataset a benchmark run leaves, in the layouts detection teams use (FaceForensics++
 * folders, DFDC's metadata.json), built from whatever the DAG made: real and fake videos at
 * every compression level, one replaced-pixel mask video per fake, the sidecars, metadata.json,
 * frames.csv (a label and face box per frame of every video), splits/{train,val,test}.json,
 * dropped.json (the quality gate's and the failures' list) and a dataset card README.md.
 * Files are hard links into the work folder (no copies); every folder and file is built aside
 * and renamed into place.
 *
 *   const summary = await assembleDataset(plan, 'out/bench', outcomes);
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SPLITS, type BenchmarkConfig, type SplitName } from '../config/benchmark.ts';
import type { StageOutcome } from '../dag/reporter.ts';
import { readAlignments, type AlignmentsDoc } from '../face/alignments-file.ts';
import { linkOrCopy, withAtomicPath, writeFileAtomic, writeJsonAtomic } from '../media/atomic-write.ts';
import { LADDER } from '../media/compress.ts';
import type { IdentityResult } from '../swap/metrics.ts';
import { readMetrics } from '../swap/metrics-file.ts';
import { METHOD } from '../swap/synthetic.ts';
import { provenance } from '../util/provenance.ts';
import { paths, type BenchmarkPlan, type PlannedFake } from './plan.ts';
import { stageName, stagesOfFake } from './stage-names.ts';

export const MetadataEntry = z
  .object({
    label: z.enum(['REAL', 'FAKE']),
    /** For a fake: the real video it was made from (a key of the same file). */
    original: z.string().nullable(),
    split: z.enum(SPLITS),
    source: z.string(),
    target: z.string().nullable(),
    method: z.string().nullable(),
    model: z.string().nullable(),
    frames: z.number().int(),
    framesSwapped: z.number().int(),
    files: z.object({ c0: z.string(), c23: z.string(), c40: z.string() }).strict(),
    mask: z.string().nullable(),
    provenance: z.string().nullable(),
  })
  .strict();
export const BenchmarkMetadata = z.record(z.string(), MetadataEntry);
export type BenchmarkMetadata = z.infer<typeof BenchmarkMetadata>;

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

/** What the gate reads of a fake's metrics.json. */
export interface GateMetrics {
  identity: { swapped: Pick<IdentityResult, 'closerToTarget'> & { toSource: { mean: number } | null; toTarget: { mean: number; median: number } | null } | null };
  frames: { total: number; swapped: number };
}
export type GateSettings = Pick<BenchmarkConfig, 'minSwappedShare' | 'identityGate' | 'maxTargetDistance' | 'minIdentityShare'>;

/**
 * Why a finished fake fails the quality gate, or null when it passes. A fake passes when it
 * swapped at least `minSwappedShare` of its frames and, with the identity gate on, its swapped
 * faces read as the target: closer to the target than to the source on average, a median
 * distance to the target below `maxTargetDistance` (a blur that both decoders produce alike
 * sits closer to one identity than to the other, but near neither), and at least
 * `minIdentityShare` of them closer to the target than to the source.
 */
export function gateReason(m: GateMetrics, g: GateSettings): string | null {
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  const share = m.frames.total ? m.frames.swapped / m.frames.total : 0;
  if (share < g.minSwappedShare) return `swapped ${m.frames.swapped} of ${m.frames.total} frames (${pct(share)}), below the ${pct(g.minSwappedShare)} minimum (minSwappedShare)`;
  const s = m.identity.swapped;
  if (!g.identityGate) return null;
  if (!s?.toSource || !s.toTarget || s.closerToTarget === null) return 'no identity distances (the metrics found no faces to compare)';
  if (!(s.toTarget.mean < s.toSource.mean)) return `swapped faces are not closer to the target (distance ${s.toTarget.mean.toFixed(3)}) than to the source (${s.toSource.mean.toFixed(3)})`;
  if (!(s.toTarget.median < g.maxTargetDistance)) return `swapped faces do not read as the target: their median distance to it is ${s.toTarget.median.toFixed(3)}, not below the ${g.maxTargetDistance} maximum (maxTargetDistance)`;
  if (s.closerToTarget < g.minIdentityShare) return `only ${pct(s.closerToTarget)} of the swapped faces are closer to the target than to the source, below the ${pct(g.minIdentityShare)} minimum (minIdentityShare)`;
  return null;
}

export async function assembleDataset(plan: BenchmarkPlan, out: string, outcomes: readonly StageOutcome[]): Promise<AssembleSummary> {
  const state = new Map(outcomes.map((o) => [o.name, o]));
  const ok = (stage: string) => ['ran', 'up-to-date'].includes(state.get(stage)?.state ?? '');
  const failure = (f: PlannedFake): string | null => {
    for (const stage of stagesOfFake(f, { trained: !plan.config.weights })) {
      const o = state.get(stage);
      if (!o || !['ran', 'up-to-date'].includes(o.state)) return `stage ${stage} ${o ? o.state.replace('-', ' ') : 'did not run'}${o?.error ? `: ${o.error}` : o?.reason ? `: ${o.reason}` : ''}`;
    }
    return null;
  };
  const metadata: BenchmarkMetadata = {};
  const dropped: Dropped[] = [];
  const frameRows: string[] = ['file,frame,label,x,y,width,height'];
  const alignments = new Map<string, AlignmentsDoc>();
  const aligned = (video: string) => {
    if (!alignments.has(video)) alignments.set(video, readAlignments(join(out, paths.extract(video), 'alignments.json')));
    return alignments.get(video)!;
  };
  const boxRows = (file: string, video: string, swapped: Set<number> | null) => {
    for (const fr of aligned(video).frames) {
      const face = fr.faces.find((x) => x.kept);
      const b = face?.box;
      const label = swapped ? (swapped.has(fr.index) ? 1 : 0) : 0;
      frameRows.push([file, fr.index, label, ...(b ? [b.x, b.y, b.width, b.height].map((v) => v.toFixed(1)) : ['', '', '', ''])].join(','));
    }
  };

  await withAtomicPath(join(out, 'real'), async (realTmp) => {
    for (const level of LADDER) mkdirSync(join(realTmp, level), { recursive: true });
    for (const v of plan.videos) {
      if (!ok(stageName.ladderReal(v.id)) || !ok(stageName.extract(v.id))) {
        dropped.push({ fake: `${v.id}.mp4 (real)`, stage: 'failed', reason: `stage ${stageName.ladderReal(v.id)} or ${stageName.extract(v.id)} did not finish` });
        continue;
      }
      for (const level of LADDER) linkOrCopy(join(out, paths.ladder('real', v.id), `${level}.mp4`), join(realTmp, level, `${v.id}.mp4`));
      const doc = aligned(v.id);
      metadata[`${v.id}.mp4`] = {
        label: 'REAL',
        original: null,
        split: v.split,
        source: v.identity,
        target: null,
        method: null,
        model: null,
        frames: doc.frames.length,
        framesSwapped: 0,
        files: { c0: `real/c0/${v.id}.mp4`, c23: `real/c23/${v.id}.mp4`, c40: `real/c40/${v.id}.mp4` },
        mask: null,
        provenance: null,
      };
      boxRows(`${v.id}.mp4`, v.id, null);
    }
  });

  await withAtomicPath(join(out, 'fake'), async (fakeTmp) => {
    await withAtomicPath(join(out, 'masks'), async (maskTmp) => {
      for (const level of LADDER) mkdirSync(join(fakeTmp, level), { recursive: true });
      mkdirSync(join(fakeTmp, 'provenance'), { recursive: true });
      mkdirSync(maskTmp, { recursive: true });
      for (const f of plan.fakes) {
        const failed = failure(f);
        if (failed) {
          dropped.push({ fake: `${f.id}.mp4`, stage: 'failed', reason: failed });
          continue;
        }
        const dir = join(out, paths.fake(f.id));
        const m = readMetrics(join(dir, 'metrics.json'));
        const gate = gateReason(m, plan.config);
        if (gate) {
          dropped.push({ fake: `${f.id}.mp4`, stage: 'quality-gate', reason: gate });
          continue;
        }
        for (const level of LADDER) linkOrCopy(join(out, paths.ladder('fake', f.id), `${level}.mp4`), join(fakeTmp, level, `${f.id}.mp4`));
        linkOrCopy(join(dir, `${f.id}.mask.mp4`), join(maskTmp, `${f.id}.mp4`));
        linkOrCopy(join(dir, `${f.id}.provenance.json`), join(fakeTmp, 'provenance', `${f.id}.provenance.json`));
        const composite = JSON.parse(readFileSync(join(dir, 'composite.json'), 'utf8')) as { swappedFrames: number[] };
        metadata[`${f.id}.mp4`] = {
          label: 'FAKE',
          original: `${f.sourceVideo}.mp4`,
          split: f.split,
          source: f.source,
          target: f.target,
          method: METHOD,
          model: m.model.fingerprint,
          frames: m.frames.total,
          framesSwapped: m.frames.swapped,
          files: { c0: `fake/c0/${f.id}.mp4`, c23: `fake/c23/${f.id}.mp4`, c40: `fake/c40/${f.id}.mp4` },
          mask: `masks/${f.id}.mp4`,
          provenance: `fake/provenance/${f.id}.provenance.json`,
        };
        boxRows(`${f.id}.mp4`, f.sourceVideo, new Set(composite.swappedFrames));
      }
    });
  });

  const perSplit = Object.fromEntries(SPLITS.map((s) => [s, { real: 0, fake: 0 }])) as AssembleSummary['perSplit'];
  for (const e of Object.values(metadata)) perSplit[e.split][e.label === 'REAL' ? 'real' : 'fake']++;
  await writeJsonAtomic(join(out, 'metadata.json'), metadata);
  await writeFileAtomic(join(out, 'frames.csv'), `${frameRows.join('\n')}\n`);
  await withAtomicPath(join(out, 'splits'), async (tmp) => {
    mkdirSync(tmp, { recursive: true });
    for (const s of SPLITS) {
      await writeJsonAtomic(join(tmp, `${s}.json`), { split: s, identities: plan.splits[s], files: Object.entries(metadata).filter(([, e]) => e.split === s).map(([k]) => k) });
    }
  });
  await writeJsonAtomic(join(out, 'dropped.json'), dropped);
  const summary: AssembleSummary = { real: Object.values(metadata).filter((e) => e.label === 'REAL').length, fake: Object.values(metadata).filter((e) => e.label === 'FAKE').length, dropped, perSplit };
  await writeFileAtomic(join(out, 'README.md'), datasetCard(plan, summary));
  return summary;
}

function datasetCard(plan: BenchmarkPlan, s: AssembleSummary): string {
  const p = provenance();
  const c = plan.config;
  const rows = SPLITS.map((k) => `| ${k} | ${plan.splits[k].length} | ${s.perSplit[k].real} | ${s.perSplit[k].fake} |`).join('\n');
  return `# Janus synthetic face-swap benchmark

**Synthetic media.** Every file under \`fake/\` is a face-swap deepfake made by Janus
(${METHOD}: one shared encoder, one decoder per identity; a face goes through the other
identity's decoder). Each carries container tags saying so and a provenance sidecar in
\`fake/provenance/\`. Made for training and testing deepfake detectors.

## Contents

| split | identities | real videos | fake videos |
|---|---|---|---|
${rows}

${s.real} real and ${s.fake} fake videos; ${s.dropped.length} dropped or failed (see \`dropped.json\`).
Splits are identity-disjoint: no person appears in two splits (\`splits/*.json\`).

## Layout
- \`real/{c0,c23,c40}/<video>.mp4\`, \`fake/{c0,c23,c40}/<fake>.mp4\`: every video at three
  compression levels, as FaceForensics++ publishes them: c0 lossless (libx264rgb, crf 0), c23
  and c40 (libx264, crf 23 / 40).
- \`masks/<fake>.mp4\`: per fake, white where pixels were replaced (lossless), one frame per frame.
- \`metadata.json\`: DFDC's form, \`{ "<file>": { label: "REAL"|"FAKE", original, split } }\`, each
  entry extended with source and target identity, method, model fingerprint, frames and frames
  swapped, the files per compression level, mask and provenance.
- \`frames.csv\`: \`file,frame,label,x,y,width,height\`: per frame of every video, 1 where the face
  was swapped, and the face box (from the source video's alignment).
- Fakes are named \`<source video>__<target identity>\`; real videos \`<identity>-<nn>\`.

## Generation
- Manifest: \`${plan.manifest.file}\` (${plan.manifest.videos.length} videos, ${plan.manifest.identities.length} identities).
- Settings: \`${JSON.stringify(c)}\`.
- Models: ${plan.models.length} (preset ${c.preset}, ${c.iterations} iterations${c.minutes ? `, at most ${c.minutes} min` : ''} each${c.weights ? `; reused from ${c.weights}` : ''}); per-pair seeds derive from seed ${c.seed}.
- Quality gate: a fake is dropped when fewer than ${(c.minSwappedShare * 100).toFixed(0)}% of its frames were swapped${
    c.identityGate
      ? `, or when its swapped faces do not read as the target identity by face-api's 128-d descriptors (distance to
  each identity's mean descriptor; face-api calls two faces one person below 0.6): they must be closer to the target than
  to the source on average, their median distance to the target must be below ${c.maxTargetDistance}, and at least
  ${(c.minIdentityShare * 100).toFixed(0)}% of them must be closer to the target than to the source`
      : ' (the identity gate was off: fakes that do not read as the target are kept)'
  }. What was dropped, and why, is in \`dropped.json\`.
- Software: Janus ${p.janus} (git ${p.git.commit ?? 'unknown'}${p.git.dirty ? ', modified' : ''}), node ${p.node}, @tensorflow/tfjs ${p.packages['@tensorflow/tfjs'] ?? '?'}.

## Reproduce

    npx janus benchmark ${plan.manifest.file} --out <folder>

Everything is seeded; a rerun in the same folder only redoes what is missing.
`;
}

