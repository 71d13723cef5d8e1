/**
 * The benchmark manifest: which source videos, and whose face each shows. YAML
 * (`videos: [{ video, identity }]`, optional `settings:`) or CSV (a header row with `video`
 * and `identity` columns). Paths are relative to the manifest. Several videos per identity
 * are allowed; at least two identities are needed.
 *
 *   const m = readBenchmarkManifest('bench.yaml');
 *   m.videos     // [{ id: 'alice-01', video: '/abs/alice1.mp4', identity: 'alice' }, …]
 *   m.identities // ['alice', 'bob', …] (sorted)
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseConfig } from '../config/parse.ts';
import { csvRow, parseCsv } from '../util/csv.ts';
import { UserError } from '../util/errors.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

// pair keys and fake names join identities with "__"
const Entry = z.object({ video: z.string().min(1), identity: z.string().regex(NAME, 'letters, digits, _ . - only').refine((x) => !x.includes('__'), 'no "__" (it separates names in pair keys)') }).strict();
const YamlManifest = z.object({ videos: z.array(Entry).min(1), settings: z.record(z.string(), z.unknown()).optional() }).strict();

export interface ManifestVideo {
  /** Unique, file-name-safe id: identity-NN. */
  id: string;
  video: string;
  identity: string;
}

export interface BenchmarkManifest {
  file: string;
  videos: ManifestVideo[];
  identities: string[];
  /** `settings:` of a YAML manifest (validated later against BenchmarkConfig). */
  settings: Record<string, unknown>;
}

function csvEntries(text: string, file: string): Array<{ video: string; identity: string; line: number }> {
  const t = parseCsv(text, file, { comments: true });
  const header = t.header.map((h) => h.toLowerCase());
  const vi = header.indexOf('video');
  const ii = header.indexOf('identity');
  if (vi < 0 || ii < 0) throw new UserError(`${file}: expected a CSV header with "video" and "identity" columns, got "${csvRow(t.header)}"`, 'first line: video,identity');
  return t.rows.map(({ cells, line }) => {
    if (!cells[vi] || !cells[ii]) throw new UserError(`${file}: line ${line}: expected a video and an identity, got "${csvRow(cells)}"`);
    return { video: cells[vi]!, identity: cells[ii]!, line };
  });
}

export function readBenchmarkManifest(file: string): BenchmarkManifest {
  if (!existsSync(file)) throw new UserError(`benchmark manifest not found: ${file}`, 'pass a YAML (videos: [{ video, identity }]) or CSV (video,identity) file');
  const text = readFileSync(file, 'utf8');
  let entries: Array<{ video: string; identity: string }>;
  let settings: Record<string, unknown> = {};
  if (/\.csv$/i.test(file)) {
    entries = csvEntries(text, file).map((e) => parseConfig(Entry, { video: e.video, identity: e.identity }, `${file} line ${e.line}`));
  } else {
    let raw: unknown;
    try {
      raw = parseYaml(text);
    } catch (err) {
      throw new UserError(`${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
    }
    const m = parseConfig(YamlManifest, raw, file);
    entries = m.videos;
    settings = m.settings ?? {};
  }
  const base = dirname(resolve(file));
  const seen = new Map<string, number>();
  const videos = entries.map((e, i) => {
    const video = isAbsolute(e.video) ? e.video : resolve(base, e.video);
    if (!existsSync(video)) throw new UserError(`${file}: video ${i + 1} (${e.identity}): file not found: ${video}`, 'paths are relative to the manifest');
    const n = (seen.get(e.identity) ?? 0) + 1;
    seen.set(e.identity, n);
    return { id: `${e.identity}-${String(n).padStart(2, '0')}`, video, identity: e.identity };
  });
  const dup = videos.find((v, i) => videos.findIndex((w) => w.video === v.video) !== i);
  if (dup) throw new UserError(`${file}: ${dup.video} is listed twice`, 'list each video once, with the identity it shows');
  const identities = [...seen.keys()].sort();
  if (identities.length < 2) throw new UserError(`${file}: expected at least 2 identities, got ${identities.length} (${identities.join(', ')})`, 'a face swap needs a source and a target person');
  return { file: resolve(file), videos, identities, settings };
}
