/**
 * The dataset card: the README.md a benchmark dataset ships with (what is synthetic, the
 * splits and counts, the layout, partial fakes and perturbations, the fakes' quality (a table;
 * the plot is quality.png beside it), how it was generated and gated, how to reproduce it, and
 * the baseline detectors' table, which janus detect-baseline writes between BASELINE_MARKS).
 *
 *   await writeFileAtomic(join(out, 'README.md'), datasetCard(plan, { real: 4, fake: 6, dropped: 1, perSplit }, metadata));
 */
import { SPLITS, type SplitName } from '../config/benchmark.ts';
import { PERTURBATION_LEVELS, PERTURBATION_NAMES, PERTURBATION_TYPES } from '../config/perturbation.ts';
import { METHOD } from '../swap/synthetic.ts';
import { provenance } from '../util/provenance.ts';
import { datasetFiles, FFPP_METHOD } from './layout.ts';
import type { BenchmarkMetadata } from './metadata.ts';
import type { BenchmarkPlan } from './plan.ts';
import { qualityTable, type FakeQuality } from './quality-plot.ts';
import { fakeStages } from './stage-names.ts';

/** The card's baseline section sits between these marks; janus detect-baseline rewrites it. */
export const BASELINE_MARKS = ['<!-- baseline -->', '<!-- /baseline -->'] as const;

/** The plot of per-fake quality beside the card. */
export const QUALITY_PLOT = 'quality.png';

/** The per-fake quality records of a dataset's fakes (the card's table and plot). */
export function qualityRecords(metadata: BenchmarkMetadata): FakeQuality[] {
  return Object.values(metadata)
    .filter((e) => e.label === 'FAKE')
    .map((e) => ({
      identityShare: e.quality?.identityShare ?? null,
      identityMargin: e.quality?.identityMargin ?? null,
      maskSsim: e.quality?.maskSsim ?? null,
      flicker: e.quality?.flicker ?? null,
      // of the frames it could swap (a partial fake: inside its spans), as metadata.json's swappedShare
      framesSwappedShare: e.quality?.swappedShare ?? (e.frames ? e.framesSwapped / e.frames : null),
    }));
}

function layoutSection(plan: BenchmarkPlan): string {
  if (plan.config.layout === 'ffpp') {
    return `## Layout (FaceForensics++'s, \`--layout ffpp\`)
- \`original_sequences/youtube/{raw,c23,c40}/videos/NNN.mp4\`: the real videos, numbered 000-999 in
  manifest order; \`raw\` is the lossless rung (libx264rgb, crf 0), c23 and c40 libx264 at crf 23 / 40.
- \`manipulated_sequences/${FFPP_METHOD}/{raw,c23,c40}/videos/TTT_SSS.mp4\`: the fakes, FaceForensics++'s
  target_source names: TTT the video whose face was replaced, SSS the donor (a video of the identity
  whose face it now shows). \`manipulated_sequences/${FFPP_METHOD}/masks/videos/TTT_SSS.mp4\`: their masks.
- \`train.json\`, \`val.json\`, \`test.json\`: FaceForensics++'s pair lists \`[[a, b], …]\`: both \`a_b\` and \`b_a\`
  exist for every pair (a pair is listed only when both its fakes are in the dataset). When two
  identities have different numbers of videos, a fake of the smaller side appears under more than
  one name (the same file: the model learnt the whole identity, not one of its videos).
- \`${datasetFiles.ffppMapping}\`: every FaceForensics++ name and the Janus id it stands for
  (\`metadata.json\`, \`frames.csv\` and \`splits/\` use the Janus ids).
- \`metadata.json\`: DFDC's form, keyed by Janus id, each entry naming its files in this layout.`;
  }
  return `## Layout
- \`real/{c0,c23,c40}/<video>.mp4\`, \`fake/{c0,c23,c40}/<fake>.mp4\`: every video at three
  compression levels, as FaceForensics++ publishes them: c0 lossless (libx264rgb, crf 0), c23
  and c40 (libx264, crf 23 / 40).
- \`masks/<fake>.mp4\`: per fake, white where pixels were replaced (lossless), one frame per frame.
- \`train.json\`, \`val.json\`, \`test.json\`: each split's identity pairs \`[[target, source], …]\`.
- Fakes are named \`<source video>__<target identity>\`; real videos \`<identity>-<nn>\`.
- \`metadata.json\`: DFDC's form, \`{ "<file>": { label: "REAL"|"FAKE", original, split } }\`, each
  entry extended with source and target identity, method, model fingerprint, frames and frames
  swapped, the files per compression level, mask and provenance.`;
}

function partialSection(plan: BenchmarkPlan, metadata: BenchmarkMetadata): string {
  const c = plan.config;
  const n = Object.values(metadata).filter((e) => e.partial).length;
  if (!c.partialShare) return '';
  return `
## Partial fakes (ForgeryNet's temporal kind)
${n} fakes swap only one to ${c.partialSpans} spans of their video (${(c.partialShare * 100).toFixed(0)}% of the fakes were drawn,
the spans covering 20-60% of the video together); every other frame is the original's, and its
mask is black. \`metadata.json\` lists each such fake's \`partial\` spans as inclusive frame ranges
\`[start, end]\` and in seconds \`[start, end)\`; \`frames.csv\` labels only the swapped frames 1.
`;
}

function perturbSection(plan: BenchmarkPlan, metadata: BenchmarkMetadata): string {
  const c = plan.config;
  if (!plan.perturbations.length) return '';
  const n = Object.values(metadata).filter((e) => e.perturbed).length;
  const rows = PERTURBATION_TYPES.map((t) => `| ${t} | ${PERTURBATION_NAMES[t]} | ${PERTURBATION_LEVELS[t].join(' / ')} | ${c.perturbTypes.includes(t) ? 'yes' : 'no'} |`).join('\n');
  return `
## Perturbations (DeeperForensics-1.0)
${n} videos have a perturbed copy (\`${c.layout === 'ffpp' ? '…/perturbed/videos/' : '{real,fake}/perturbed/'}\`, listed in
\`${datasetFiles.perturbations}\` as \`<file> TYPE:LEVEL …\` and in each entry's \`perturbed\`): ${(c.perturbShare * 100).toFixed(0)}% of
the real videos were drawn, and every fake made from one gets the same perturbations with the
same random draws, so a real video and its fakes differ only in the face. One type, or (${(c.perturbMix * 100).toFixed(0)}% of them) a
mixture of 2-4, each at a level drawn from ${c.perturbLevels.join(', ')}; applied to the lossless rung and
encoded as c23 (or at the video-compression level's crf).

| type | what | levels 1-5 (published parameters) | drawn from |
|---|---|---|---|
${rows}
`;
}

function qualitySection(metadata: BenchmarkMetadata): string {
  return `
## Quality of the fakes

Per fake in \`metadata.json\` (\`quality\`): identity share (swapped faces closer to the target than
to the source, by face-api's 128-d descriptors), identity margin (median distance to the source
minus to the target: > 0 reads as the target), median distance to the target, Mask-SSIM (Celeb-DF's
measure), flicker (frame-to-frame change inside the mask, against the original's), and the share of
the frames it could swap that it swapped. Their distributions: \`${QUALITY_PLOT}\`.

![quality of the fakes](${QUALITY_PLOT})

${qualityTable(qualityRecords(metadata))}`;
}

/** What the card counts: videos kept, fakes dropped, and both per split. */
export interface DatasetCounts {
  real: number;
  fake: number;
  dropped: number;
  perSplit: Record<SplitName, { real: number; fake: number }>;
}

/** `baseline`: the card's baseline section (detect-baseline.ts's baselineSection), null: not run yet. */
export function datasetCard(plan: BenchmarkPlan, s: DatasetCounts, metadata: BenchmarkMetadata, baseline: string | null = null): string {
  const p = provenance();
  const c = plan.config;
  const ffpp = c.layout === 'ffpp';
  const rows = SPLITS.map((k) => `| ${k} | ${plan.splits[k].length} | ${s.perSplit[k].real} | ${s.perSplit[k].fake} |`).join('\n');
  return `# Janus synthetic face-swap benchmark

**Synthetic media.** Every file under \`${ffpp ? `manipulated_sequences/${FFPP_METHOD}/` : 'fake/'}\` is a face-swap deepfake made by Janus
(${METHOD}: one shared encoder, one decoder per identity; a face goes through the other
identity's decoder). Each carries container tags saying so and a provenance sidecar in
\`${ffpp ? `manipulated_sequences/${FFPP_METHOD}/provenance/` : 'fake/provenance/'}\`. Made for training and testing deepfake detectors.

## Contents

| split | identities | real videos | fake videos |
|---|---|---|---|
${rows}

${s.real} real and ${s.fake} fake videos; ${s.dropped} dropped or failed (see \`dropped.json\`).
Splits are identity-disjoint: no person appears in two splits (\`splits/*.json\`).

**Nothing but the face tells a fake from a real video**, on purpose: at every rung a real video and
its fakes share dimensions, frame rate, pixel format, codec and encoder settings, audio codec and
container fields. The one deliberate difference is the provenance mark (container tags \`comment\`,
\`synthetic\`, \`janus_*\` on fakes; \`comment\`, \`janus_dataset_label\`, \`janus_dataset_id\` on real
videos): strip the tags before training a detector on the files (\`ffmpeg -i x.mp4 -map_metadata -1
-c copy y.mp4\`). Janus's tests train a classifier on container metadata alone (ffprobe's fields, the
x264 settings, bytes per second) and require it to do no better than chance without the mark.

${layoutSection(plan)}
- \`frames.csv\`: \`file,frame,label,x,y,width,height\`: per frame of every video, 1 where the face
  was swapped, and the face box (from the source video's alignment).
${partialSection(plan, metadata)}${perturbSection(plan, metadata)}${qualitySection(metadata)}
## Generation
- Manifest: \`${plan.manifest.file}\` (${plan.manifest.videos.length} videos, ${plan.manifest.identities.length} identities).
- Settings: \`${JSON.stringify(c)}\`.
- Models: ${plan.models.length} (preset ${c.preset}, ${c.iterations} iterations${c.minutes ? `, at most ${c.minutes} min` : ''} each${c.weights ? `; reused from ${c.weights}` : ''}); per-pair seeds derive from seed ${c.seed}.
- Quality gate: a fake is dropped when fewer than ${(c.minSwappedShare * 100).toFixed(0)}% of its frames (a partial fake's: inside its spans) were swapped${
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

## Verify a fake

Each fake's entry in \`metadata.json\` names its model (\`model\`: the fingerprint of its weights and
training state), its pair's training seed (\`seed\`) and the stages of this folder that made it
(\`stages\`). In the benchmark folder, this recomputes one fake from its recorded inputs and params
(training pinned to the iterations it reached) and compares every output byte for byte (a
differing video: its first differing frame and the PSNR):

    npx janus verify <folder> ${plan.fakes[0] ? fakeStages(plan.fakes[0], !c.weights).map((s) => `--stage ${s}`).join(' ') : '--stage swap-<fake> --stage composite-<fake>'}

(the stages of \`${plan.fakes[0]?.id ?? '<fake>'}.mp4\`; every stage: \`npx janus verify <folder>\`). \`npx janus reproduce
<folder> --out <kit>\` writes a kit whose \`reproduce.sh\` makes the whole benchmark again elsewhere
and compares every pair's outputs with these.

## Baseline detectors
${BASELINE_MARKS[0]}
${
  baseline ??
  `Not run yet: \`npx janus detect-baseline <folder>\` trains the baselines (a logistic regression on encoder
latents and a small CNN on face crops) and writes their table here and in \`baseline.json\`.`
}
${BASELINE_MARKS[1]}
`;
}

