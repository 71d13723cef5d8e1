/**
 * A reproduction kit: everything needed to make a finished run again elsewhere and check it
 * against the original, in one folder (`janus reproduce RUN --out DIR`):
 *
 *   DIR/pipeline.yaml        the pipeline file the run used (byte for byte; its sha256 checked)
 *   DIR/run-manifest.json    the run's manifest: params, what each stage did (the pins), versions
 *   DIR/kit.json             sets, pins as --set values, input hashes, version lock, expected output fingerprints
 *   DIR/inputs.sha256        the input files (sha256sum -c format)
 *   DIR/reproduce.sh         checks the inputs and the environment, runs the pipeline pinned, then janus verify --expect
 *
 * A benchmark folder is a run folder too: its kit reproduces every pair's stages (train-…,
 * swap-…, composite-…) and expects each pair's outputs.
 *
 *   await writeKit({ workdir: 'runs/demo', pipeline, out: 'kits/demo', janus: ['node', '/opt/janus/src/cli/bin.js'] });
 *   readKit('kits/demo/kit.json').expected.train.model.files['loss.jsonl']
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ContentHasher } from '../dag/content-hash.ts';
import { readRunManifest } from '../dag/manifest.ts';
import { pinnedParams, pinsOf } from '../dag/pins.ts';
import type { Pipeline } from '../dag/pipeline-schema.ts';
import { openRunState } from '../dag/run-folder.ts';
import { stageRegistry } from '../stages/registry.ts';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.ts';
import { Environment } from '../util/environment.ts';
import { UserError } from '../util/errors.ts';
import { sha256File } from '../util/hash.ts';
import { readJsonFile } from '../util/read-json.ts';
import { outputFingerprints } from './compare.ts';

const KIT_SCHEMA = 'janus.reproduce/1';

/** Tokens for the paths that differ between a run and its reproduction (set aside in text outputs). */
export const RUN_TOKEN = '${run}';
export const PIPELINE_TOKEN = '${pipeline}';

export const ReproductionKit = z
  .object({
    schema: z.literal(KIT_SCHEMA),
    /** The original run folder (absolute) and pipeline file. */
    run: z.string(),
    pipeline: z.object({ file: z.string(), original: z.string(), name: z.string(), sha256: z.string() }).strict(),
    /** The folder the run's relative input paths resolve from. */
    cwd: z.string(),
    /** The run's --set values. */
    sets: z.array(z.string()),
    /** The pinned budgets as --set values (what `--pin run-manifest.json` applies), for a run by hand. */
    pinnedSets: z.array(z.string()),
    /** Input files and folders outside the run folder, with their content hashes. */
    inputs: z.array(z.object({ path: z.string(), hash: z.string() }).strict()),
    /** Version lock: node, Janus, packages, ffmpeg, and the machine. */
    versions: z.object({ janus: z.string(), commit: z.string().nullable(), node: z.string(), ffmpeg: z.string().nullable(), packages: z.record(z.string(), z.string()) }).strict(),
    environment: Environment.optional(),
    /** Stage -> output -> its path in the run folder and its files' fingerprints. */
    expected: z.record(z.string(), z.record(z.string(), z.object({ path: z.string(), files: z.record(z.string(), z.string()) }).strict())),
  })
  .strict();
export type ReproductionKit = z.infer<typeof ReproductionKit>;

export function readKit(file: string): ReproductionKit {
  return readJsonFile(file, ReproductionKit, { what: `${KIT_SCHEMA} file`, hint: 'make the kit again: janus reproduce RUN --out DIR' });
}

/** Shell-quote one word. */
const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

function script(kit: ReproductionKit, janus: readonly string[]): string {
  const sets = kit.sets.map((s) => `--set ${q(s)}`).join(' ');
  const line = (s: string) => s.replace(/[\r\n]/g, ' '); // in a comment
  return `#!/usr/bin/env bash
# Reproduce the Janus run ${line(kit.run)}
# (pipeline ${line(kit.pipeline.name)}, ${kit.versions.janus}${kit.versions.commit ? ` at ${kit.versions.commit.slice(0, 12)}` : ''}) and check it against the original's outputs.
#
#   bash reproduce.sh [RUN_DIR]          the reproduction goes to RUN_DIR (default: run/ beside this script)
#   JANUS='npx janus' bash reproduce.sh  the janus command to use (default: the one that made this kit)
#   JANUS_CWD=/path bash reproduce.sh    where the run's relative input paths resolve (default: the original's)
#   RECOMPUTE=1 bash reproduce.sh        also recompute every stage of the reproduction (janus verify)
#
# Exit 0 when every output is identical to the original's; 1 when one differs; 2 when an input
# is missing or differs.
set -euo pipefail
KIT="$(cd "$(dirname "\${BASH_SOURCE[0]}")" && pwd)"
RUN="$(mkdir -p "\${1:-$KIT/run}" && cd "\${1:-$KIT/run}" && pwd)"
# the janus command: JANUS split into words, else the one that made the kit (each word quoted)
if [ -n "\${JANUS:-}" ]; then read -ra J <<< "$JANUS"; else J=(${janus.map(q).join(' ')}); fi
RUN_CWD=${q(kit.cwd)}
cd "\${JANUS_CWD:-$RUN_CWD}" 2>/dev/null || { echo "reproduce: the folder the run's inputs resolve from ($RUN_CWD) is not here; fix: JANUS_CWD=/that/folder bash $0" >&2; exit 2; }

# 1. the inputs, byte for byte
if ! sha256sum --quiet -c "$KIT/inputs.sha256"; then
  echo "reproduce: an input above is missing or not the run's (sha256 in $KIT/inputs.sha256); fix: put the recorded file at that path" >&2
  exit 2
fi
# 2. the environment: what differs from the run's may change bytes (janus verify --expect names it)
RUN_NODE=${q(kit.versions.node)}
RUN_FFMPEG=${q(kit.versions.ffmpeg ?? 'none recorded')}
[ "$(node --version)" = "$RUN_NODE" ] || echo "note: node $(node --version), the run used $RUN_NODE" >&2
echo "ffmpeg: $(ffmpeg -hide_banner -version 2>/dev/null | head -1 || echo missing) (the run used $RUN_FFMPEG)" >&2

# 3. the pipeline, with the run's sets and its budgets pinned to what it reached
"\${J[@]}" run "$KIT/pipeline.yaml" --workdir "$RUN" ${sets} --pin "$KIT/run-manifest.json"
#    (by hand: the same with ${line(kit.pinnedSets.map((s) => `--set ${q(s)}`).join(' ') || '(no pins)')})

# 4. every output against the original's
[ -z "\${RECOMPUTE:-}" ] || "\${J[@]}" verify "$RUN"
"\${J[@]}" verify "$RUN" --expect "$KIT/kit.json"
`;
}

export interface KitOptions {
  workdir: string;
  pipeline: Pipeline;
  out: string;
  /** The janus command reproduce.sh runs, as words (default in the script; JANUS overrides it). */
  janus: readonly string[];
}

/** Write the kit; returns it. */
export async function writeKit(o: KitOptions): Promise<ReproductionKit> {
  const workdir = resolve(o.workdir);
  const out = resolve(o.out);
  if (existsSync(out) && readdirSync(out).length && !existsSync(join(out, 'kit.json'))) {
    throw new UserError(`${out} holds files and is not a reproduction kit: nothing was written`, 'choose an empty or new folder for --out');
  }
  const m = readRunManifest(workdir);
  const original = resolve(m.pipeline.file);
  if (!existsSync(original) || sha256File(original) !== m.pipeline.sha256) {
    throw new UserError(`the pipeline file ${original} is ${existsSync(original) ? 'no longer the one the run used' : 'gone'} (the run recorded sha256 ${m.pipeline.sha256.slice(0, 16)}…)`, 'restore the file the run used (git checkout), then make the kit');
  }
  const store = openRunState(workdir);
  let cwd: string;
  const expected: ReproductionKit['expected'] = {};
  const pinnedSets: string[] = [];
  const inputs = new Map<string, string>();
  try {
    cwd = store.meta('cwd') ?? process.cwd();
    const hasher = new ContentHasher(null);
    const pins = pinsOf(m);
    for (const stage of o.pipeline.stages) {
      const rec = store.stage(stage.name);
      if (rec?.status !== 'done') throw new UserError(`stage ${stage.name} of ${workdir} is not finished (${rec?.status ?? 'never run'}): a kit reproduces a finished run`, `finish the run first (janus run ${m.pipeline.file} --workdir ${o.workdir})`);
      const kind = stageRegistry.get(stage.kind);
      const { pinned } = pinnedParams(kind, stage.params, pins.get(stage.name) ?? rec.did);
      for (const [k, v] of Object.entries(pinned)) pinnedSets.push(`${stage.name}.${k}=${v === undefined ? 'null' : JSON.stringify(v)}`);
      for (const ref of Object.values(stage.inputs)) if ('file' in ref && !inputs.has(ref.file)) inputs.set(ref.file, hasher.hash(ref.file));
      const aliases = [[workdir, RUN_TOKEN], [original, PIPELINE_TOKEN]] as const;
      expected[stage.name] = Object.fromEntries(Object.entries(stage.outputs).map(([k, rel]) => [k, { path: rel, files: outputFingerprints(join(workdir, rel), { aliases, clockFields: kind.clockFields ?? [] }) }]));
    }
  } finally {
    store.close();
  }
  const kit: ReproductionKit = {
    schema: KIT_SCHEMA,
    run: workdir,
    pipeline: { file: 'pipeline.yaml', original, name: m.pipeline.name, sha256: m.pipeline.sha256 },
    cwd,
    sets: m.pipeline.sets,
    pinnedSets,
    inputs: [...inputs].map(([path, hash]) => ({ path, hash })),
    versions: { janus: m.provenance.janus, commit: m.provenance.git.commit, node: m.provenance.node, ffmpeg: m.environment?.ffmpeg ?? null, packages: m.provenance.packages },
    ...(m.environment ? { environment: m.environment } : {}),
    expected,
  };
  mkdirSync(out, { recursive: true });
  copyFileSync(original, join(out, 'pipeline.yaml'));
  await writeFileAtomic(join(out, 'run-manifest.json'), readFileSync(join(workdir, 'run-manifest.json')));
  // sha256sum's format; folders (a photo folder input) are checked by janus verify --expect through the outputs
  const files = kit.inputs.filter((i) => i.hash.startsWith('sha256:') && statSync(i.path).isFile());
  await writeFileAtomic(join(out, 'inputs.sha256'), files.map((i) => `${i.hash.slice('sha256:'.length)}  ${i.path}\n`).join(''));
  await writeJsonAtomic(join(out, 'kit.json'), kit);
  await writeFileAtomic(join(out, 'reproduce.sh'), script(kit, o.janus));
  chmodSync(join(out, 'reproduce.sh'), 0o755);
  return kit;
}
