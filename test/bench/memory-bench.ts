/**
 * `make bench` (memory part): peak RSS of extraction (`janus extract`, SSD, --detect-every 25)
 * and of the composite stage's frame loop for a 10-s and a longer 720p clip (issue 19: the same
 * for 10 s and 10 min). The long clip is 60 s by default (`--long 600` for the whole 10 min:
 * about an hour here); what grows with length shows as MB per 1,000 frames. And the peak RSS of
 * reading a 10-minute video's alignments as the composite stage does (test/bench/alignments-rss.ts).
 *
 *   npx tsx test/bench/memory-bench.ts [--long 60]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clip720p } from './clip-720p.ts';

const i = process.argv.indexOf('--long');
const LONG = i > 0 ? Number(process.argv[i + 1]) : 60;
const dir = mkdtempSync(join(tmpdir(), 'janus-bench-memory-'));
/** A command's peak RSS in MB (GNU time's maximum resident set size of the process it ran) and its stdout. */
function peak(cmd: string[]): { mb: number; out: string } {
  const r = spawnSync('/usr/bin/time', ['-f', 'peak-rss-kb %M', ...cmd], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const kb = Number(/peak-rss-kb (\d+)/.exec(r.stderr)?.[1]);
  if (r.status !== 0 || !(kb > 0)) throw new Error(`${cmd.join(' ')} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  return { mb: Math.round(kb / 1024), out: r.stdout };
}
try {
  const rows: Array<{ seconds: number; frames: number; extractPeakRssMb: number; compositePeakRssMb: number }> = [];
  for (const seconds of [10, LONG]) {
    const frames = seconds * 25;
    const clip = clip720p(dir, frames, `clip-${seconds}s`);
    const ex = join(dir, `extract-${seconds}s`);
    const extract = peak(['node', 'src/cli/bin.js', 'extract', clip, '--out', ex, '--detect-every', '25']);
    const out = join(dir, `composite-${seconds}s`);
    mkdirSync(out);
    const composite = peak(['npx', 'tsx', 'test/bench/composite-rss.ts', clip, ex, out]);
    const own = JSON.parse(composite.out.trim().split('\n').pop()!) as { peakRssMb: number };
    rows.push({ seconds, frames, extractPeakRssMb: extract.mb, compositePeakRssMb: own.peakRssMb });
    rmSync(clip);
  }
  const [short, long] = rows as [typeof rows[0], typeof rows[0]];
  // reading a 10-minute video's alignments as the composite stage does (made from the short clip's frames)
  const big = join(dir, 'alignments-10min.json');
  const made = spawnSync('npx', ['tsx', 'test/bench/alignments-rss.ts', 'write', join(dir, 'extract-10s', 'alignments.json'), '15000', big], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`writing the 10-minute alignments failed (exit ${made.status}): ${made.stderr.slice(-2000)}`);
  const reading = JSON.parse(peak(['npx', 'tsx', 'test/bench/alignments-rss.ts', 'read', big]).out.trim().split('\n').pop()!) as { frames: number; framesWithAKeptFace: number; fileMb: number; seconds: number; peakRssMb: number };
  const per1000 = (a: number, b: number) => +(((b - a) / (long.frames - short.frames)) * 1000).toFixed(1);
  console.log(JSON.stringify({ bench: 'memory', size: '1280x720', rows, growthMbPer1000Frames: { extract: per1000(short.extractPeakRssMb, long.extractPeakRssMb), composite: per1000(short.compositePeakRssMb, long.compositePeakRssMb) }, compositeReadingAlignmentsOf10MinVideo: reading }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
