/**
 * What the fault suite's parts share: a part's result, snapshots of a folder's files (sha256 per
 * path) and the files a case lost. A part (kills.ts, bad-inputs.ts) runs its cases and returns
 * one FaultPart; run.ts adds the parts up into the figures line README quotes.
 *
 *   const before = snapshot(dir);
 *   ... run the case ...
 *   const lost = lostFiles(before, dir); // pre-existing files gone or changed
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { join, relative, sep } from 'node:path';

export interface FaultPart {
  /** Cases that behaved as the issue asks (a kill point whose rerun is byte-identical, a bad input answered clearly). */
  passed: number;
  /** One line per case that did not, naming the case and what went wrong. */
  failures: string[];
  /** Pre-existing files that a case removed or changed, as `case: path`. */
  lost: string[];
}

/** Every file and link under `dir` (not folders), with its lstat, keyed by path relative to `dir`; `skip` prunes paths (folders too). */
export function filesUnder(dir: string, skip: (rel: string) => boolean = () => false): Map<string, Stats> {
  const out = new Map<string, Stats>();
  if (!existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const rel = relative(dir, p);
      if (skip(rel)) continue;
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else out.set(rel, st);
    }
  };
  walk(dir);
  return out;
}

/** sha256 of every regular file under `dir` (links are not followed nor listed), keyed by path relative to `dir`. */
export function snapshot(dir: string, skip: (rel: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>();
  for (const [rel, st] of filesUnder(dir, skip)) if (st.isFile()) out.set(rel, createHash('sha256').update(readFileSync(join(dir, rel))).digest('hex'));
  return out;
}

/** Janus's own bookkeeping in a run folder (state database, lock, logs): a failed command may update it. */
export function janusBookkeeping(rel: string): boolean {
  return rel === '.janus' || rel.startsWith(`.janus${sep}`);
}

/** Paths of `before` that are missing from `dir` now or whose bytes changed. */
export function lostFiles(before: Map<string, string>, dir: string, skip: (rel: string) => boolean = () => false): string[] {
  const now = snapshot(dir, skip);
  return [...before].filter(([rel, hash]) => !skip(rel) && now.get(rel) !== hash).map(([rel]) => rel);
}

/** A file the clock writes (a record of a run, not an output): compared by presence only. */
export function clockRecord(rel: string): boolean {
  const parts = rel.split(sep);
  const name = parts.at(-1)!;
  return name === 'run-manifest.json' || name === 'loss.jsonl' || name === 'quality.jsonl' || name === 'report.html' || ((name === 'state.json' || name === 'MANIFEST.json') && parts.some((p) => p.startsWith('ckpt-') || p.startsWith('best-')));
}

/**
 * How `folder` differs from `reference` (another run of the same command): files missing or
 * extra, different bytes (the clock's records by presence only; Janus's bookkeeping set aside),
 * links to other targets.
 */
export function treeDifferences(reference: string, folder: string): { problems: string[]; files: number } {
  const want = snapshot(reference);
  const got = snapshot(folder);
  const problems: string[] = [];
  for (const rel of new Set([...want.keys(), ...got.keys()])) {
    if (janusBookkeeping(rel)) continue; // a record per run
    if (!want.has(rel)) problems.push(`${rel}: not in the uninterrupted run`);
    else if (!got.has(rel)) problems.push(`${rel}: missing`);
    else if (!clockRecord(rel) && want.get(rel) !== got.get(rel)) problems.push(`${rel}: different bytes`);
  }
  const links = (d: string) => new Map([...filesUnder(d)].filter(([, st]) => st.isSymbolicLink()).map(([rel]) => [rel, readlinkSync(join(d, rel))]));
  const [wantLinks, gotLinks] = [links(reference), links(folder)];
  for (const [rel, target] of wantLinks) if (gotLinks.get(rel) !== target) problems.push(`${rel}: a link to ${gotLinks.get(rel) ?? 'nothing'}, expected ${target}`);
  for (const rel of gotLinks.keys()) if (!wantLinks.has(rel)) problems.push(`${rel}: a link not in the uninterrupted run`);
  return { problems, files: want.size };
}
