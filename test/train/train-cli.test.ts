/**
 * `janus train` as a user runs it: face folders in, checkpoints, preview.png, loss.png and
 * loss.jsonl out; a second run resumes and says from where; bad folders are clear errors.
 *
 * @tier e2e (trains through the CLI)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readPngText } from '../../src/media/png-text.ts';
import { faceCrop } from '../helpers/data.ts';
import { ROOT, janus, tempDir } from '../helpers/fixtures.ts';

const test = suite('train/train-cli');
const tmp = tempDir('train-cli');
test.after(() => tmp.cleanup());

async function faceDir(name: 'a' | 'b'): Promise<string> {
  const dir = join(tmp.dir, `faces-${name}`);
  mkdirSync(dir, { recursive: true });
  const f = await faceCrop(name, 96);
  for (const i of [0, 1]) {
    await sharp(Buffer.from(f.map((v) => Math.round(v * 255))), { raw: { width: 96, height: 96, channels: 3 } })
      .flop(i === 1)
      .png()
      .toFile(join(dir, `${i}.png`));
  }
  return dir;
}
// every test reads both folders: made here, so each test holds alone
test.before(async () => {
  await faceDir('a');
  await faceDir('b');
});

test('train, then train again to a higher total: it resumes and says so', async () => {
  const a = await faceDir('a');
  const b = await faceDir('b');
  const out = join(tmp.dir, 'w');
  const args = (n: number) => ['train', '--a', a, '--b', b, '--out', out, '--preset', 'tiny', '--iterations', String(n), '--save-every', '3', '--batch-size', '2', '--learning-rate', '0.001'];
  const r1 = janus(args(3));
  assert.is(r1.code, 0, r1.stderr);
  assert.match(r1.stdout, /stopped by iterations at iteration 3; checkpoint .*ckpt-000000003/);
  for (const f of ['preview.png', 'loss.png', 'loss.jsonl', 'checkpoints/ckpt-000000003/MANIFEST.json']) assert.ok(existsSync(join(out, f)), f);
  const r2 = janus(args(5));
  assert.is(r2.code, 0, r2.stderr);
  assert.match(r2.stderr, /resumed from iteration 3/);
  assert.match(r2.stdout, /iteration 5 \(resumed from 3\)/);
  assert.is(readFileSync(join(out, 'loss.jsonl'), 'utf8').trim().split('\n').length, 5);
  const preview = await sharp(join(out, 'preview.png')).metadata();
  assert.is(readPngText(readFileSync(join(out, 'preview.png'))).janus_content, 'training-preview', 'preview.png shows swapped faces: it carries the synthetic mark');
  assert.equal([preview.width, preview.height], [4 * 64, 6 * 64]);
});

test('SIGINT during training saves a checkpoint and exits 130; the next run resumes from it', async () => {
  const a = join(tmp.dir, 'faces-a');
  const b = join(tmp.dir, 'faces-b');
  const out = join(tmp.dir, 'interrupted');
  const args = ['train', '--a', a, '--b', b, '--out', out, '--preset', 'tiny', '--iterations', '100000', '--save-every', '2', '--batch-size', '2'];
  const child = spawn(process.execPath, [join(ROOT, 'src/cli/bin.js'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const t0 = Date.now();
  while (!existsSync(join(out, 'checkpoints', 'ckpt-000000002', 'MANIFEST.json'))) {
    if (Date.now() - t0 > 120_000) throw new Error('training never saved a checkpoint');
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGINT');
  assert.is(await exited, 130, output);
  const m = /stopped by signal at iteration (\d+); checkpoint .*ckpt-0*(\d+)/.exec(output);
  assert.ok(m && m[1] === m[2], `the checkpoint is of the iteration it stopped at: ${output}`);
  const r = janus(['train', '--a', a, '--b', b, '--out', out, '--preset', 'tiny', '--iterations', String(Number(m![1]) + 1), '--save-every', '2', '--batch-size', '2']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`resumed from iteration ${m![1]}`));
});

test('pretrain on pooled faces folders, then train a pair from it with --init', async () => {
  const a = join(tmp.dir, 'faces-a');
  const b = join(tmp.dir, 'faces-b');
  const pre = join(tmp.dir, 'pretrained');
  const r = janus(['pretrain', a, b, '--out', pre, '--preset', 'tiny', '--iterations', '3', '--batch-size', '2']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /pretraining tiny\/transpose on \w+: 4 faces from 2 folders/);
  assert.match(r.stdout, /stopped by iterations at iteration 3/);
  const t = janus(['train', '--a', a, '--b', b, '--out', join(tmp.dir, 'from-pre'), '--preset', 'tiny', '--iterations', '2', '--batch-size', '2', '--init', pre]);
  assert.is(t.code, 0, t.stderr);
  assert.match(t.stderr, /starts from the pretrained model in .*pretrained/);
  const bad = janus(['train', '--a', a, '--b', b, '--out', join(tmp.dir, 'from-pre-small'), '--preset', 'small', '--iterations', '1', '--init', pre]);
  assert.is(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /pretrained model in .* is of another architecture \(preset/);
  assert.is(janus(['pretrain', a]).code, 2, 'no --out');
});

test('missing or empty face folders, and a bad preset, are clear errors with exit code 2', () => {
  const out = join(tmp.dir, 'bad');
  const r = janus(['train', '--a', join(tmp.dir, 'nope'), '--b', join(tmp.dir, 'nope'), '--out', out, '--preset', 'tiny']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /face folder not found: ".*nope"/);
  mkdirSync(join(tmp.dir, 'empty'), { recursive: true });
  const e = janus(['train', '--a', join(tmp.dir, 'empty'), '--b', join(tmp.dir, 'empty'), '--out', out, '--preset', 'tiny']);
  assert.is(e.code, 2);
  assert.match(e.stderr, /no face images in ".*empty"/);
  const p = janus(['train', '--a', 'x', '--b', 'y', '--out', out, '--preset', 'huge']);
  assert.is(p.code, 2);
  assert.match(p.stderr, /huge/);
});

test.run();
