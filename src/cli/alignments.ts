/**
 * `janus alignments FILE`: what an alignments file holds: frames, frames with no face,
 * multi-face frames, faces kept, faces dropped by reason, jitter before/after smoothing, and
 * who the target is. `--clusters` lists the identity clusters of the face tracks (faces,
 * tracks, frames, the merge threshold) and writes a contact sheet PNG per cluster into
 * `clusters/` beside the file (re-cut from the video), so `janus extract --identity cluster:N`
 * can pick another one.
 *
 *   npx janus alignments runs/extract-b/alignments.json
 *   npx janus alignments runs/extract-b/alignments.json --clusters
 */
import { dirname, join } from 'node:path';
import { describeClustering, readAlignments, summarise, summariseFile, type AlignmentsDoc, type AlignmentsHeader, type AlignmentsSummary } from '../face/alignments-file.ts';
import { writeContactSheets, type ContactSheet } from '../face/contact-sheet.ts';
import type { AlignmentsOpts } from './commands.ts';

/** Who the target is, in words. */
function describeTarget(doc: Pick<AlignmentsHeader, 'target'>): string {
  const t = doc.target;
  const faces = (n: number | null) => `${n} face${n === 1 ? '' : 's'}`;
  switch (t.source) {
    case 'reference':
      return `the person in ${t.reference}`;
    case 'cluster':
      return `identity cluster ${t.cluster} of ${t.clusters} (${faces(t.clusterSize)}; 1 = the largest)`;
    case 'most-frequent':
      return `the most frequent identity (${faces(t.clusterSize)})`;
    default:
      return 'none';
  }
}

export function formatSummary(file: string, s: AlignmentsSummary, doc?: Pick<AlignmentsHeader, 'target' | 'clustering'>): string {
  const dropped = Object.entries(s.dropped).map(([k, v]) => `${v} ${k}`).join(', ') || 'none';
  const j = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(2)} px`);
  return [
    file,
    `  frames              ${s.frames}`,
    `  frames with no face ${s.framesWithoutFace}`,
    `  multi-face frames   ${s.multiFaceFrames}`,
    `  faces               ${s.faces} (${s.kept} kept)`,
    `  dropped             ${dropped}`,
    `  jitter              ${j(s.jitterBefore)} before smoothing, ${j(s.jitterAfter)} after`,
    ...(doc ? [`  target              ${describeTarget(doc)}`] : []),
    ...(doc?.clustering ? [`  ${describeClustering(doc.clustering)}`] : []),
  ].join('\n');
}

function formatClusters(doc: AlignmentsDoc, sheets: readonly ContactSheet[]): string {
  const c = doc.clustering!;
  const lines = [describeClustering(c)];
  for (const x of c.clusters) {
    const mark = doc.target.source === 'cluster' && doc.target.cluster === x.rank ? ' (target)' : '';
    const sheet = sheets.find((s) => s.rank === x.rank);
    const n = (v: number, what: string) => `${v} ${what}${v === 1 ? '' : 's'}`;
    lines.push(`  cluster ${x.rank}${mark}: ${n(x.faces, 'face')}, ${n(x.tracks, 'track')}, ${n(x.frames, 'frame')}${sheet ? ` -> ${sheet.file}` : ''}`);
  }
  return lines.join('\n');
}

export async function run([file]: string[], opts: AlignmentsOpts): Promise<number> {
  // the contact sheets need every frame; the summary alone reads the file a frame at a time
  const whole = opts.clusters ? readAlignments(file!) : null;
  const { header: doc, summary: s } = whole ? { header: whole, summary: summarise(whole) } : summariseFile(file!);
  const sheets = whole ? await writeContactSheets(whole, join(dirname(file!), 'clusters')) : [];
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ...s, warnings: doc.warnings, target: doc.target, clustering: doc.clustering, ...(opts.clusters ? { sheets } : {}) }, null, 2)}\n`);
    return 0;
  }
  const warnings = doc.warnings.map((w) => `  warning: ${w}\n`).join('');
  process.stdout.write(whole ? `${file}\n${formatClusters(whole, sheets)}\n${warnings}` : `${formatSummary(file!, s, doc)}\n${warnings}`);
  return 0;
}
