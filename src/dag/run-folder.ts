/**
 * The run folder's layout and housekeeping: the state folder (`.janus/`: state.db, logs, run
 * manifests), removing a stage's outputs, sweeping temp files an interrupted write left, and
 * each stage's log file.
 *
 *   const store = openRunState('runs/demo');          // runs/demo/.janus/state.db
 *   removeOutputs(stage, 'runs/demo');                 // all outputs but `persist` ones
 *   const log = stageLog('runs/demo', 'extract-a');    // appends to .janus/logs/extract-a.log
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { TEMP_PREFIX, tempTargetName } from '../util/atomic-write.ts';
import { outputPaths } from './fingerprint.ts';
import type { ResolvedStage } from './pipeline-schema.ts';
import { openStateStore, type StateStore } from './state-store.ts';

export function stateDir(workdir: string): string {
  return join(workdir, '.janus');
}

/** A folder a Janus run made (it has the state folder). */
export function isRunFolder(dir: string): boolean {
  return existsSync(stateDir(dir));
}

export function openRunState(workdir: string): StateStore {
  return openStateStore(join(stateDir(workdir), 'state.db'));
}

/** Remove a stage's outputs (all, or all but `persist`). */
export function removeOutputs(stage: ResolvedStage, workdir: string, keepPersist = true): void {
  for (const [name, p] of Object.entries(outputPaths(stage, workdir))) {
    if (keepPersist && stage.persist.includes(name)) continue;
    rmSync(p, { recursive: true, force: true });
  }
}

/**
 * Remove what an interrupted write left of an output: temp files inside it (a folder's items)
 * and its own temp copies beside it (`.janus-tmp-<pid>-<random>-<name>`, written whole and
 * renamed onto the output: a kill before the rename leaves one). The run's lock guarantees no
 * other Janus process is writing them.
 */
export function removeLeftTemps(output: string): number {
  let n = removeTempFiles(output);
  const dir = dirname(output);
  if (!existsSync(dir)) return n;
  for (const e of readdirSync(dir)) {
    if (tempTargetName(e) === basename(output)) {
      rmSync(join(dir, e), { recursive: true, force: true });
      n++;
    }
  }
  return n;
}

/** Remove temp files left inside output folders by an interrupted write. */
export function removeTempFiles(dir: string): number {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return 0;
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.name.startsWith(TEMP_PREFIX)) {
      rmSync(p, { recursive: true, force: true });
      n++;
    } else if (e.isDirectory() && e.name !== '.janus') n += removeTempFiles(p);
  }
  return n;
}

/** A function appending time-stamped lines to the stage's log (`.janus/logs/<stage>.log`). */
export function stageLog(workdir: string, stage: string): (message: string) => void {
  const logDir = join(stateDir(workdir), 'logs');
  mkdirSync(logDir, { recursive: true });
  const file = join(logDir, `${stage}.log`);
  return (m: string) => appendFileSync(file, `${new Date().toISOString()} ${m}\n`);
}
