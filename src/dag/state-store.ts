/**
 * The run folder's state: which stages finished with which fingerprint, which items of an
 * unfinished stage are done, and a cache of file hashes keyed by their stat. SQLite in WAL
 * mode (better-sqlite3): each record is one small transaction, durable before the runner moves
 * on, so a SIGKILL at any moment leaves a consistent state.
 *
 *   const store = openStateStore('runs/demo/.janus/state.db');
 *   store.putStage({ name: 'extract', status: 'started', fingerprint, … });   // before the stage's work
 *   store.markItemDone('extract', fingerprint, '000042');                      // after each item's outputs
 *   store.putStage({ ...store.stage('extract')!, status: 'done', outputs });   // after its outputs exist
 *
 * (The stage executor's `markStarted` / `markDone` / `markFailed` make these calls.)
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type StageStatus = 'started' | 'done' | 'failed';

export interface StageRecord {
  name: string;
  status: StageStatus;
  /** The fingerprint of the attempt (started/failed) or of the finished run (done). */
  fingerprint: string;
  kind: string;
  codeVersion: string;
  /** Canonical JSON of the params. */
  params: string;
  /** Hash of the stage's definition (kind, inputs/outputs layout). */
  defHash: string;
  /** Input name -> content hash. */
  inputs: Record<string, string>;
  /** Output name -> content hash (done only). */
  outputs: Record<string, string>;
  startedAt: number;
  finishedAt: number | null;
  error: string | null;
  /**
   * What the finished stage did beyond its params (the kind's `did()`: the iteration a time
   * budget reached, the model files used), for pinned reruns (janus verify, janus reproduce); null for none.
   */
  did: Record<string, unknown> | null;
}

export interface FileStat {
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  ino: bigint;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS stages (
  name TEXT PRIMARY KEY, status TEXT NOT NULL, fingerprint TEXT NOT NULL, kind TEXT NOT NULL,
  code_version TEXT NOT NULL, params TEXT NOT NULL, def_hash TEXT NOT NULL, inputs TEXT NOT NULL,
  outputs TEXT NOT NULL, started_at REAL NOT NULL, finished_at REAL, error TEXT, did TEXT);
CREATE TABLE IF NOT EXISTS items (
  stage TEXT NOT NULL, fingerprint TEXT NOT NULL, item TEXT NOT NULL, done_at REAL NOT NULL,
  PRIMARY KEY (stage, item));
CREATE TABLE IF NOT EXISTS files (
  path TEXT PRIMARY KEY, size TEXT NOT NULL, mtime_ns TEXT NOT NULL, ctime_ns TEXT NOT NULL,
  ino TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

interface StageRow {
  name: string;
  status: StageStatus;
  fingerprint: string;
  kind: string;
  code_version: string;
  params: string;
  def_hash: string;
  inputs: string;
  outputs: string;
  started_at: number;
  finished_at: number | null;
  error: string | null;
  did: string | null;
}

export class StateStore {
  private readonly db: Database.Database;
  private readonly q;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    // a state.db from before stages recorded what they did gains the column (its rows: null)
    if (!(this.db.prepare('PRAGMA table_info(stages)').all() as Array<{ name: string }>).some((c) => c.name === 'did')) {
      try {
        this.db.exec('ALTER TABLE stages ADD COLUMN did TEXT');
      } catch (err) {
        if (!/duplicate column/i.test(String(err))) throw err; // another process added it first
      }
    }
    this.q = {
      getStage: this.db.prepare<[string], StageRow>('SELECT * FROM stages WHERE name = ?'),
      allStages: this.db.prepare<[], StageRow>('SELECT * FROM stages'),
      putStage: this.db.prepare(
        `INSERT OR REPLACE INTO stages (name, status, fingerprint, kind, code_version, params, def_hash, inputs, outputs, started_at, finished_at, error, did)
         VALUES (@name, @status, @fingerprint, @kind, @code_version, @params, @def_hash, @inputs, @outputs, @started_at, @finished_at, @error, @did)`,
      ),
      deleteStage: this.db.prepare('DELETE FROM stages WHERE name = ?'),
      itemsDone: this.db.prepare<[string, string], { item: string }>('SELECT item FROM items WHERE stage = ? AND fingerprint = ?'),
      countItems: this.db.prepare<[string, string], { n: number }>('SELECT COUNT(*) AS n FROM items WHERE stage = ? AND fingerprint = ?'),
      putItem: this.db.prepare('INSERT OR REPLACE INTO items (stage, fingerprint, item, done_at) VALUES (?, ?, ?, ?)'),
      clearItems: this.db.prepare('DELETE FROM items WHERE stage = ?'),
      staleItems: this.db.prepare('DELETE FROM items WHERE stage = ? AND fingerprint <> ?'),
      getFile: this.db.prepare<[string], { size: string; mtime_ns: string; ctime_ns: string; ino: string; hash: string }>('SELECT * FROM files WHERE path = ?'),
      putFile: this.db.prepare('INSERT OR REPLACE INTO files (path, size, mtime_ns, ctime_ns, ino, hash) VALUES (?, ?, ?, ?, ?, ?)'),
      getMeta: this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      putMeta: this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
    };
  }

  close(): void {
    this.db.close();
  }

  /** Run several writes as one transaction. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  stage(name: string): StageRecord | null {
    const r = this.q.getStage.get(name);
    return r ? fromRow(r) : null;
  }

  stages(): StageRecord[] {
    return this.q.allStages.all().map(fromRow);
  }

  putStage(rec: StageRecord): void {
    this.q.putStage.run({
      name: rec.name,
      status: rec.status,
      fingerprint: rec.fingerprint,
      kind: rec.kind,
      code_version: rec.codeVersion,
      params: rec.params,
      def_hash: rec.defHash,
      inputs: JSON.stringify(rec.inputs),
      outputs: JSON.stringify(rec.outputs),
      started_at: rec.startedAt,
      finished_at: rec.finishedAt,
      error: rec.error,
      did: rec.did ? JSON.stringify(rec.did) : null,
    });
  }

  deleteStage(name: string): void {
    this.transaction(() => {
      this.q.deleteStage.run(name);
      this.q.clearItems.run(name);
    });
  }

  /** Items recorded as done for this attempt; records of other attempts are dropped. */
  doneItems(stage: string, fingerprint: string): Set<string> {
    this.q.staleItems.run(stage, fingerprint);
    return new Set(this.q.itemsDone.all(stage, fingerprint).map((r) => r.item));
  }

  countDoneItems(stage: string, fingerprint: string): number {
    return this.q.countItems.get(stage, fingerprint)?.n ?? 0;
  }

  markItemDone(stage: string, fingerprint: string, item: string): void {
    this.q.putItem.run(stage, fingerprint, item, Date.now() / 1000);
  }

  clearItems(stage: string): void {
    this.q.clearItems.run(stage);
  }

  cachedHash(path: string, st: FileStat): string | null {
    const r = this.q.getFile.get(path);
    if (!r) return null;
    if (r.size !== String(st.size) || r.mtime_ns !== String(st.mtimeNs) || r.ctime_ns !== String(st.ctimeNs) || r.ino !== String(st.ino)) return null;
    return r.hash;
  }

  cacheHash(path: string, st: FileStat, hash: string): void {
    this.q.putFile.run(path, String(st.size), String(st.mtimeNs), String(st.ctimeNs), String(st.ino), hash);
  }

  meta(key: string): string | null {
    return this.q.getMeta.get(key)?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.q.putMeta.run(key, value);
  }
}

function fromRow(r: StageRow): StageRecord {
  return {
    name: r.name,
    status: r.status,
    fingerprint: r.fingerprint,
    kind: r.kind,
    codeVersion: r.code_version,
    params: r.params,
    defHash: r.def_hash,
    inputs: JSON.parse(r.inputs) as Record<string, string>,
    outputs: JSON.parse(r.outputs) as Record<string, string>,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: r.error,
    did: r.did ? (JSON.parse(r.did) as Record<string, unknown>) : null,
  };
}

export function openStateStore(path: string): StateStore {
  return new StateStore(path);
}
