/**
 * Another machine for the queue tests, inside this one: a network namespace joined to this one
 * by a veth pair on a private /30 (10.231.N.0, made here and removed after), with an sshd of the
 * test's own listening on this side's address so that the namespace mounts a folder of this
 * side (sshfs) at the same path. A worker started through `wrap()` reaches Redis and the run
 * folder only through the veth: its loopback is its own and the folder it sees is the mount.
 * Root only (ip netns); a reason string instead when something is missing.
 *
 *   const h = await startNetnsHost(join(tmp.dir, 'netns'), tmp.dir);
 *   if (typeof h === 'string') return console.log(`SKIP: ${h}`);
 *   spawn(h.wrap()[0], [...h.wrap().slice(1), 'node', 'bin.js', 'worker', ...]);
 *   h.stop();
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

export interface NetnsHost {
  /** This side's address on the veth (Redis and sshd listen there), the namespace's. */
  host: string;
  guest: string;
  /** The command prefix that runs a program in the namespace with `share` mounted (then `"$@"`). */
  wrap(): string[];
  stop(): void;
}

const SSHD = '/usr/sbin/sshd';

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${(r.stderr || r.stdout).trim()}`);
}

const have = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

export async function startNetnsHost(dir: string, share: string): Promise<NetnsHost | string> {
  if (process.getuid?.() !== 0) return 'not root: ip netns needs it';
  for (const bin of ['ip', 'sshfs', 'ssh-keygen', 'mountpoint']) if (!have(bin)) return `${bin} is missing (fix: make netns-tools, or sudo apt-get install -y openssh-server sshfs iproute2)`;
  if (!existsSync(SSHD)) return `${SSHD} is missing (fix: make netns-tools)`;
  const n = process.pid % 100000;
  const ns = `janus-t${n}`;
  const [outer, inner] = [`jh${n}`, `jg${n}`];
  const net = `10.231.${(process.pid % 200) + 20}`;
  const host = `${net}.1`;
  const guest = `${net}.2`;
  let sshd: ChildProcess | null = null;
  const stop = () => {
    if (sshd?.pid) {
      try {
        process.kill(sshd.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' }); // its end of the veth goes with it, and the pair
    spawnSync('ip', ['link', 'del', outer], { stdio: 'ignore' });
  };
  try {
    if (spawnSync('ip', ['netns', 'add', ns], { stdio: 'ignore' }).status !== 0) return 'ip netns add failed: no network namespaces here';
    sh('ip', ['link', 'add', outer, 'type', 'veth', 'peer', 'name', inner]);
    sh('ip', ['link', 'set', inner, 'netns', ns]);
    sh('ip', ['addr', 'add', `${host}/30`, 'dev', outer]);
    sh('ip', ['link', 'set', outer, 'up']);
    sh('ip', ['netns', 'exec', ns, 'ip', 'addr', 'add', `${guest}/30`, 'dev', inner]);
    sh('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', inner, 'up']);
    sh('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);

    mkdirSync(dir, { recursive: true });
    mkdirSync('/run/sshd', { recursive: true }); // sshd's privilege-separation folder
    for (const key of ['host_key', 'id']) sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, key)]);
    copyFileSync(join(dir, 'id.pub'), join(dir, 'authorized_keys'));
    const port = await freePort();
    const conf = join(dir, 'sshd_config');
    writeFileSync(
      conf,
      [
        `Port ${port}`,
        `ListenAddress ${host}`,
        `HostKey ${join(dir, 'host_key')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'Subsystem sftp internal-sftp',
        '',
      ].join('\n'),
    );
    sshd = spawn(SSHD, ['-D', '-e', '-f', conf], { stdio: 'ignore' });
    let up = false;
    for (let i = 0; i < 100 && !up; i++) {
      up = await reachable(host, port);
      if (!up) await new Promise((r) => setTimeout(r, 100));
    }
    if (!up) throw new Error(`sshd did not listen on ${host}:${port}`);
    const ssh = [`IdentityFile=${join(dir, 'id')}`, 'StrictHostKeyChecking=no', 'UserKnownHostsFile=/dev/null', `port=${port}`, 'dir_cache=no', 'reconnect', 'LogLevel=ERROR'].join(',');
    // sshfs in the foreground (so the worker's process group holds it), the program once the mount is there
    const script = `sshfs -f -o ${ssh} root@${host}:${share} ${share} & i=0; until mountpoint -q ${share}; do i=$((i+1)); [ $i -gt 150 ] && { echo "sshfs did not mount ${share}" >&2; exit 3; }; sleep 0.1; done; exec "$@"`;
    return { host, guest, wrap: () => ['ip', 'netns', 'exec', ns, 'sh', '-c', script, 'janus-netns'], stop };
  } catch (err) {
    stop();
    return `could not make the network namespace: ${(err as Error).message}`;
  }
}
