/**
 * Toy stage kinds for DAG tests: no faces, just files. Each writes its outputs atomically, as
 * real stages must.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { StageKind, StageRegistry } from '../../src/dag/stage-kind.ts';
import { writeFileAtomic } from '../../src/util/atomic-write.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The items each session of toy-items was told it runs (`ctx.itemsToRun`), as its first item saw them. */
export const itemsToRunSeen: string[][] = [];

export const toyItems: StageKind = {
  kind: 'toy-items',
  version: '1',
  // failAt fails that item; with failWhile (a file name in the run folder) only while that file exists;
  // holdUntil: each item waits until that file exists (a run kept busy for exactly as long as a test needs)
  params: z.object({ count: z.number().int().min(0), delayMs: z.number().int().min(0).default(0), failAt: z.number().int().optional(), failWhile: z.string().optional(), tag: z.string().default(''), holdUntil: z.string().optional() }).strict(),
  outputs: ['dir', 'index'],
  items: (ctx) => Array.from({ length: ctx.params.count as number }, (_, i) => String(i).padStart(4, '0')),
  async runItem(ctx, item) {
    const p = ctx.params as { delayMs: number; failAt?: number; failWhile?: string; tag: string; holdUntil?: string };
    if (ctx.itemsToRun?.[0] === item) itemsToRunSeen.push([...ctx.itemsToRun]);
    while (p.holdUntil && !existsSync(p.holdUntil)) await sleep(20);
    const failing = p.failWhile === undefined || existsSync(join(ctx.workdir, p.failWhile));
    if (p.failAt !== undefined && Number(item) === p.failAt && failing) throw new Error(`toy failure at item ${item}`);
    const seed = ctx.inputs.seed ? createHash('sha256').update(readFileSync(ctx.inputs.seed)).digest('hex').slice(0, 12) : 'noseed';
    if (p.delayMs) await sleep(p.delayMs);
    mkdirSync(ctx.outputs.dir!, { recursive: true });
    await writeFileAtomic(join(ctx.outputs.dir!, `${item}.txt`), `${p.tag}:${item}:${seed}\n`.repeat(50));
  },
  async run(ctx) {
    mkdirSync(ctx.outputs.dir!, { recursive: true });
    const files = readdirSync(ctx.outputs.dir!).filter((f) => f.endsWith('.txt')).sort();
    await writeFileAtomic(ctx.outputs.index!, `${files.join('\n')}\n`);
  },
};

export const toyJoin: StageKind = {
  kind: 'toy-join',
  version: '1',
  params: z.object({ delayMs: z.number().int().min(0).default(0) }).strict(),
  inputs: ['dir'],
  outputs: ['out'],
  async run(ctx) {
    if (ctx.params.delayMs) await sleep(ctx.params.delayMs as number);
    if (ctx.signal.aborted) return; // a real stage stops when asked
    const files = readdirSync(ctx.inputs.dir!).filter((f) => f.endsWith('.txt')).sort();
    const h = createHash('sha256');
    for (const f of files) h.update(readFileSync(join(ctx.inputs.dir!, f)));
    await writeFileAtomic(ctx.outputs.out!, `${files.length} files ${h.digest('hex')}\n`);
  },
};

export const toyCopy: StageKind = {
  kind: 'toy-copy',
  version: '1',
  params: z.object({ suffix: z.string().default('') }).strict(),
  inputs: ['src'],
  outputs: ['dst'],
  async run(ctx) {
    await writeFileAtomic(ctx.outputs.dst!, `${readFileSync(ctx.inputs.src!, 'utf8')}${ctx.params.suffix}`);
  },
};

/** Writes a checkpoint (persist) and a partial output in place, then fails. */
export const toyFail: StageKind = {
  kind: 'toy-fail',
  version: '1',
  params: z.object({ delayMs: z.number().int().min(0).default(0) }).strict(),
  outputs: ['out', 'ckpt'],
  async run(ctx) {
    await writeFileAtomic(ctx.outputs.ckpt!, 'checkpoint at step 10\n');
    writeFileSync(ctx.outputs.out!, 'half of a resu');
    if (ctx.params.delayMs) await sleep(ctx.params.delayMs as number);
    throw new Error('toy stage failed on purpose');
  },
};

/** What the lifecycle kind saw, in order: `open 1`, `items 1`, `item 0000 1`, `run 1`, `close 1` (1 = the session's number). */
export const sessionEvents: string[] = [];
let sessionCount = 0;

interface ToySession {
  id: number;
  closed: boolean;
}

/** Per-item kind with open()/close(): every call records the session it got; `failAt` fails an item. */
export const toySession: StageKind<{ count: number; delayMs: number; failAt?: number }, ToySession> = {
  kind: 'toy-session',
  version: '1',
  params: z.object({ count: z.number().int().min(0), delayMs: z.number().int().min(0).default(0), failAt: z.number().int().optional() }).strict(),
  outputs: ['dir'],
  open() {
    const s = { id: ++sessionCount, closed: false };
    sessionEvents.push(`open ${s.id}`);
    return s;
  },
  close(ctx) {
    sessionEvents.push(`close ${ctx.session.id}`);
    ctx.session.closed = true;
  },
  items(ctx) {
    sessionEvents.push(`items ${ctx.session.id}`);
    return Array.from({ length: ctx.params.count }, (_, i) => String(i).padStart(4, '0'));
  },
  async runItem(ctx, item) {
    if (ctx.session.closed) throw new Error('an item ran after close()');
    if (ctx.params.delayMs) await sleep(ctx.params.delayMs);
    if (ctx.params.failAt === Number(item)) throw new Error(`toy failure at item ${item}`);
    sessionEvents.push(`item ${item} ${ctx.session.id}`);
    mkdirSync(ctx.outputs.dir!, { recursive: true });
    await writeFileAtomic(join(ctx.outputs.dir!, `${item}.txt`), `${item}\n`);
  },
  async run(ctx) {
    sessionEvents.push(`run ${ctx.session.id}`);
    mkdirSync(ctx.outputs.dir!, { recursive: true });
  },
};

export function registerToyKinds(registry: StageRegistry): StageRegistry {
  return registry.register(toyItems).register(toyJoin).register(toyCopy).register(toyFail);
}

let caseCount = 0;
/** A fresh folder under `root` holding seed.txt and pipeline.yaml (SEED in the YAML becomes the seed's path). */
export function toyCase(root: string, yaml: string, seed = 'seed one\n'): { dir: string; file: string; workdir: string } {
  const dir = join(root, `case${caseCount++}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'seed.txt'), seed);
  const file = join(dir, 'pipeline.yaml');
  writeFileSync(file, yaml.replaceAll('SEED', join(dir, 'seed.txt')));
  return { dir, file, workdir: join(dir, 'run') };
}
