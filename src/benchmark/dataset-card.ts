/**
 * The dataset card: the README.md a benchmark dataset ships with (what is synthetic, the
 * splits and counts, the layout, how it was generated and gated, how to reproduce it).
 *
 *   await writeFileAtomic(join(out, 'README.md'), datasetCard(plan, { real: 4, fake: 6, dropped: 1, perSplit }));
 */
import { SPLITS, type SplitName } from '../config/benchmark.ts';
import { METHOD } from '../swap/synthetic.ts';
import { provenance } from '../util/provenance.ts';
import type { BenchmarkPlan } from './plan.ts';
import { fakeStages } from './stage-names.ts';

/** What the card counts: videos kept, fakes dropped, and both per split. */
export interface DatasetCounts {
  real: number;
  fake: number;
  dropped: number;
  perSplit: Record<SplitName, { real: number; fake: number }>;
}

export function datasetCard(plan: BenchmarkPlan, s: DatasetCounts): string {
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

${s.real} real and ${s.fake} fake videos; ${s.dropped} dropped or failed (see \`dropped.json\`).
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
`;
}

