/**
 * A queue executor's cluster for tests: a real Redis (Debian's redis-server, through `janus
 * redis start`) on a free loopback port in the test's folder, `janus worker` processes (each
 * the leader of its own process group, so SIGKILL of the group kills the worker and its jobs'
 * child processes, as a machine's death would), their logs, coordinators run asynchronously,
 * and bounded waits on what they print.
 *
 *   const c = await QueueCluster.start(tmp.dir);          // null when redis-server is not installed
 *   c.worker(['--lock-seconds', '3']);
 *   const run = c.coordinator(['run', 'pipelines/swap.yaml', ...]);
 *   const w = await c.waitFor(/train started/, 60);          // the worker whose log says it
 *   c.kill(w);
 *   assert.is((await run.done).code, 0);
 *   c.stop();
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, janus, type CliResult } from './fixtures.ts';
import { freePort } from './free-port.ts';

export interface TestWorker {
  index: number;
  child: ChildProcess;
  log(): string;
  alive: boolean;
}

export interface AsyncRun {
  child: ChildProcess;
  done: Promise<CliResult>;
  /** Set when it exited (a wait for what it should have made stops at once). */
  exited?: CliResult;
}

const BIN = join(ROOT, 'src/cli/bin.js');

export const redisInstalled = (): boolean => spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * Wait (polling every 100 ms, at most `seconds`) until `f` returns a value; a timeout throws
 * `what`, and so does the exit of `run` (the coordinator meant to make it) first.
 */
export async function until<T>(f: () => T | undefined | null | false, seconds: number, what: string, run?: AsyncRun): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const v = f();
    if (v) return v;
    if (run?.exited) throw new Error(`waiting for ${what}, the coordinator exited ${run.exited.code}:\n${run.exited.stdout}`);
    if (Date.now() > end) throw new Error(`waited ${seconds} s for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `janus ARGS` as a child process writing to a log file; `done` resolves with its exit and output. */
export function janusAsync(args: string[], logFile: string, env: NodeJS.ProcessEnv = {}): AsyncRun {
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', fd, fd], detached: true, env: { ...process.env, ...env } });
  closeSync(fd);
  const done = new Promise<CliResult>((resolve) => {
    child.on('exit', (code, sig) => {
      const out = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
      run.exited = { code: code ?? (sig ? 128 : -1), stdout: out, stderr: '' };
      resolve(run.exited);
    });
  });
  const run: AsyncRun = { child, done };
  return run;
}

export class QueueCluster {
  readonly workers: TestWorker[] = [];
  private readonly runs: AsyncRun[] = [];

  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly url: string,
    private readonly server: { bind?: string[]; password?: string },
  ) {}

  /**
   * Start Redis on a free port (null when redis-server is not installed): on 127.0.0.1, and on
   * `bind`'s other addresses with `password` (janus redis start --bind, JANUS_REDIS_PASSWORD).
   */
  static async start(dir: string, server: { bind?: string[]; password?: string } = {}): Promise<QueueCluster | null> {
    if (!redisInstalled()) return null;
    const port = await freePort();
    const c = new QueueCluster(dir, port, `redis://${server.password ? `:${server.password}@` : ''}127.0.0.1:${port}/0`, server);
    c.redis('start');
    return c;
  }

  /** The URL through another of the server's addresses. */
  urlVia(address: string): string {
    return this.url.replace('127.0.0.1', address);
  }

  /** `janus redis start|stop` of this cluster's server (a restart keeps the queue: append-only file). */
  redis(action: 'start' | 'stop'): void {
    const bind = this.server.bind ? ['--bind', ['127.0.0.1', ...this.server.bind].join(',')] : [];
    const r = janus(['redis', action, '--port', String(this.port), '--dir', join(this.dir, 'redis'), ...bind], this.server.password ? { JANUS_REDIS_PASSWORD: this.server.password } : {});
    if (r.code !== 0) throw new Error(`janus redis ${action}: ${r.stdout}${r.stderr}`);
  }

  /**
   * Start a `janus worker` (extra arguments after `--queue URL`); `via`: a command prefix it runs
   * through (another network namespace), `url`: the queue's URL from there.
   */
  worker(args: string[] = [], env: NodeJS.ProcessEnv = {}, where: { via?: string[]; url?: string } = {}): TestWorker {
    const index = this.workers.length;
    const file = join(this.dir, `worker-${index}.log`);
    const argv = ['worker', '--queue', where.url ?? this.url, ...args];
    const run = where.via ? janusAsyncVia(where.via, argv, file, env) : janusAsync(argv, file, env);
    const w: TestWorker = { index, child: run.child, log: () => (existsSync(file) ? readFileSync(file, 'utf8') : ''), alive: true };
    run.child.on('exit', () => (w.alive = false));
    this.workers.push(w);
    return w;
  }

  /** `janus ARGS` (a coordinator: run, benchmark) in the background, logging to NAME.log. */
  coordinator(name: string, args: string[]): AsyncRun {
    const run = janusAsync(args, join(this.dir, `${name}.log`));
    this.runs.push(run);
    return run;
  }

  /** The first living worker whose log matches (at most `seconds`, and while `run` has not exited). */
  waitFor(pattern: RegExp, seconds: number, run?: AsyncRun): Promise<TestWorker> {
    return until(() => this.workers.find((w) => w.alive && pattern.test(w.log())), seconds, `a worker to print ${pattern}\n${this.logs()}`, run);
  }

  /** How many times the workers' logs (all of them, killed ones too) match. */
  count(pattern: RegExp): number {
    const g = new RegExp(pattern.source, 'g');
    return this.workers.reduce((n, w) => n + (w.log().match(g) ?? []).length, 0);
  }

  /** SIGKILL a worker's process group: the worker and its jobs' child processes, as a machine's death. */
  kill(w: { child: ChildProcess }): void {
    try {
      process.kill(-w.child.pid!, 'SIGKILL');
    } catch {
      // gone already
    }
  }

  logs(): string {
    return this.workers.map((w) => `--- worker ${w.index}${w.alive ? '' : ' (dead)'}\n${w.log()}`).join('\n');
  }

  stop(): void {
    for (const w of this.workers) this.kill(w);
    for (const r of this.runs) this.kill(r);
    try {
      this.redis('stop');
    } catch {
      // stopped already
    }
  }
}

/** A worker started through another command (e.g. `ip netns exec NAME`): COMMAND node BIN ARGS. */
function janusAsyncVia(command: string[], args: string[], logFile: string, env: NodeJS.ProcessEnv): AsyncRun {
  const fd = openSync(logFile, 'w');
  const child = spawn(command[0]!, [...command.slice(1), process.execPath, BIN, ...args], { cwd: ROOT, stdio: ['ignore', fd, fd], detached: true, env: { ...process.env, ...env } });
  closeSync(fd);
  const done = new Promise<CliResult>((resolve) => child.on('exit', (code) => resolve({ code: code ?? -1, stdout: existsSync(logFile) ? readFileSync(logFile, 'utf8') : '', stderr: '' })));
  return { child, done };
}
