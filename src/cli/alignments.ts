/**
 * `janus alignments FILE`: what an alignments file holds: frames, frames with no face,
 * multi-face frames, faces kept, faces dropped by reason, jitter before/after smoothing.
 *
 *   npx janus alignments runs/extract-b/alignments.json
 */
import { readAlignments, summarise, type AlignmentsSummary } from '../face/alignments-file.ts';
import type { CommandSpec } from './command.ts';

export function formatSummary(file: string, s: AlignmentsSummary): string {
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
  ].join('\n');
}

export const alignmentsCommand: CommandSpec = {
  name: 'alignments',
  args: ['<file>'],
  summary: 'print the counts in an alignments file: frames, no-face and multi-face frames, kept and dropped faces by reason, jitter',
  options: ['json'],
  async run([file], opts) {
    const doc = readAlignments(file!);
    const s = summarise(doc);
    process.stdout.write(opts.json ? `${JSON.stringify({ ...s, warnings: doc.warnings, target: doc.target }, null, 2)}\n` : `${formatSummary(file!, s)}\n${doc.warnings.map((w) => `  warning: ${w}`).join('\n')}${doc.warnings.length ? '\n' : ''}`);
    return 0;
  },
};
