/**
 * The CLI as a user runs it: doctor reports wasm and ffmpeg, bad options list valid choices
 * with exit code 2 in one message format, help, cheap commands and the DAG commands' planning
 * (status, clean, run and stage on what is up to date) start without loading tfjs,
 * and README documents every command, option (its tables agree with the schemas) and make target.
 *
 * @tier e2e (spawns the CLI)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { COMMANDS } from '../../src/cli/commands.ts';
import { readmeDifferences } from '../../src/cli/readme-options.ts';
import { ROOT, SAMPLE_A, janus, tempDir } from '../helpers/fixtures.ts';

const test = suite('cli');
const haveNative = (() => {
  try {
    import.meta.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();

test('janus doctor --json: wasm backend with reasons, ffmpeg, all face-api models', () => {
  const r = janus(['doctor', '--json'], { JANUS_BACKEND: '' });
  assert.is(r.code, 0, r.stderr);
  const rep = JSON.parse(r.stdout);
  if (!haveNative) {
    assert.is(rep.backend.backend, 'wasm');
    assert.equal(rep.backend.attempts.map((a: { candidate: string }) => a.candidate), ['tfjs-node-gpu', 'tfjs-node', 'webgpu', 'wasm']);
    assert.match(rep.backend.attempts[0].reason, /not installed/);
    assert.match(rep.backend.attempts[2].reason, /no usable WebGPU adapter|emulated on the CPU.*auto never picks it/);
  }
  assert.ok(rep.backend.addedKernels.includes('Conv2DBackpropFilter') || rep.backend.backend !== 'wasm');
  assert.match(rep.ffmpeg.version, /^\d+\.\d+/);
  assert.is(rep.faceApi.models.length, 4);
  assert.ok(rep.faceApi.models.every((m: { ok: boolean }) => m.ok));
  assert.equal(rep.missing, []);
  assert.ok(Array.isArray(rep.webgpu.adapters), JSON.stringify(rep.webgpu));
  assert.match(rep.native, /tensorflow\/tfjs issue 8742/);
});

test('janus doctor (text) names the backend, the skipped ones and ffmpeg', () => {
  const r = janus(['doctor', '--backend', 'wasm']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /backend\s+wasm via wasm \(requested wasm, from --backend\)/);
  assert.match(r.stdout, /ffmpeg\s+\d+\.\d+/);
  assert.match(r.stdout, /found\s+ssd_mobilenetv1_model/);
  assert.match(r.stdout, /Ready/);
});

test('an invalid backend lists the valid ones, exit code 2', () => {
  const r = janus(['doctor', '--backend', 'gpu2']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /invalid --backend: expected backend to be one of auto\|tensorflow\|webgpu\|wasm\|cpu, got "gpu2"/);
  const e = janus(['doctor'], { JANUS_BACKEND: 'cuda' });
  assert.is(e.code, 2);
  assert.match(e.stderr, /invalid JANUS_BACKEND: expected backend to be one of auto\|tensorflow\|webgpu\|wasm\|cpu, got "cuda"/);
});

test('--backend cpu works and warns that it is slow', () => {
  const r = janus(['doctor', '--backend', 'cpu']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /backend\s+cpu/);
  assert.match(r.stdout, /too slow to train/);
});

test('janus probe prints size, fps, frames and audio', () => {
  const r = janus(['probe', SAMPLE_A]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /size\s+512x512/);
  assert.match(r.stdout, /fps\s+25\/1/);
  assert.match(r.stdout, /frames\s+125\n/);
  assert.match(r.stdout, /audio\s+aac 48000 Hz/);
  const j = JSON.parse(janus(['probe', SAMPLE_A, '--json', '--count-frames']).stdout);
  assert.is(j.frameCount, 125);
  assert.is(j.frameCountExact, true);
});

test('an unknown command is exit code 2 with help pointer', () => {
  const r = janus(['frobnicate']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /unknown command 'frobnicate'/);
});

test('a bad option value, a bad choice and a missing option: one message format, exit code 2, before anything loads', () => {
  const base = ['train', '--a', 'x', '--b', 'y', '--out', 'z'];
  const preset = janus([...base, '--preset', 'huge']);
  assert.is(preset.code, 2);
  assert.match(preset.stderr, /janus: invalid --preset: expected preset to be one of tiny\|small\|original\|large128, got "huge"/);
  const batch = janus([...base, '--batch-size', 'x']);
  assert.is(batch.code, 2);
  assert.match(batch.stderr, /janus: invalid --batch-size: expected batchSize to be a number, got "x"/);
  const missing = janus(['convert', SAMPLE_A, '--model', 'm', '--out', 'o.mp4']);
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /janus convert needs --alignments/);
});

// refuses the heavy packages: --help and option errors must not need them
const FORBID_HEAVY = join(ROOT, 'test/helpers/forbid-heavy-imports.mjs');

test('janus --help, CMD --help and option errors import no command implementation (no tfjs, sharp, face-api, ffmpeg)', () => {
  const run = (args: string[]) => spawnSync(process.execPath, ['--import', FORBID_HEAVY, join(ROOT, 'src/cli/bin.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
  const help = run(['--help']);
  assert.is(help.status, 0, help.stderr);
  for (const c of COMMANDS) assert.match(help.stdout, new RegExp(`\\b${c.name}\\b`));
  const trainHelp = run(['train', '--help']);
  assert.is(trainHelp.status, 0, trainHelp.stderr);
  assert.match(trainHelp.stdout, /--preset <name>\s+model size \(one of\s+tiny\|small\|original\|large128;\s+default: small\)/);
  const bad = run(['extract', 'v.mp4', '--out', 'o', '--detector', 'yolo']);
  assert.is(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /invalid --detector: expected detector to be one of ssd\|tiny, got "yolo"/);
  // the hook does refuse them, imported (doctor needs ffmpeg and tfjs) or required (as Janus loads tfjs)
  assert.match(run(['doctor']).stderr, /heavy import: (@tensorflow|fluent-ffmpeg)/);
  const required = spawnSync(process.execPath, ['--import', FORBID_HEAVY, '--input-type=module', '-e', "import { createRequire } from 'node:module'; createRequire(import.meta.url)('@tensorflow/tfjs');"], { cwd: ROOT, encoding: 'utf8' });
  assert.match(required.stderr, /heavy import: @tensorflow\/tfjs/);
});

test('status, clean, and run or stage on what is up to date load no stage implementation that needs tfjs, sharp, face-api or ffmpeg', () => {
  const tmp = tempDir('cli-light');
  try {
    const run = (args: string[]) => spawnSync(process.execPath, ['--import', FORBID_HEAVY, join(ROOT, 'src/cli/bin.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
    mkdirSync(join(tmp.dir, 'faces'));
    writeFileSync(join(tmp.dir, 'faces', '000000_0.png'), 'not read, only linked');
    const pipeline = join(tmp.dir, 'light.yaml');
    // gather-faces needs nothing heavy to run; probe-video's implementation needs ffmpeg
    writeFileSync(
      pipeline,
      `name: light
stages:
  - { name: gather, kind: gather-faces, inputs: { v1: ${join(tmp.dir, 'faces')} }, outputs: { faces: all/faces, masks: all/masks } }
  - { name: probe, kind: probe-video, inputs: { video: ${SAMPLE_A} }, outputs: { info: a.json } }
`,
    );
    const workdir = ['--workdir', join(tmp.dir, 'run')];
    const first = run(['run', pipeline, ...workdir, '--until', 'gather']);
    assert.is(first.status, 0, first.stderr);
    assert.match(first.stdout, /1 ran/);
    const status = run(['status', ...workdir, '--json']);
    assert.is(status.status, 0, status.stderr);
    const states = JSON.parse(status.stdout).stages.map((o: { name: string; state: string; reason: string }) => [o.name, o.state, o.reason]);
    assert.equal(states, [['gather', 'up-to-date', 'fingerprint matches'], ['probe', 'would-run', 'missing output: info (a.json)']]);
    const again = run(['run', pipeline, ...workdir, '--until', 'gather']);
    assert.is(again.status, 0, again.stderr);
    assert.match(again.stdout, /0 ran, 1 up to date/);
    const stage = run(['stage', 'gather', ...workdir]);
    assert.is(stage.status, 0, stage.stderr);
    const clean = run(['clean', ...workdir]);
    assert.is(clean.status, 0, clean.stderr);
    assert.match(clean.stdout, /nothing to clean/);
    // the hook does refuse a stage implementation that needs ffmpeg, when it runs
    const probe = run(['stage', 'probe', ...workdir]);
    assert.is(probe.status, 1);
    assert.match(probe.stdout + probe.stderr, /heavy import: fluent-ffmpeg/);
  } finally {
    tmp.cleanup();
  }
});

test('README documents every command, its options as the schemas say, and every make target', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  for (const c of COMMANDS) assert.ok(readme.includes(`### \`janus ${c.name}`), `README section for janus ${c.name}`);
  const diff = readmeDifferences(readme);
  assert.equal(diff, [], `README's option tables differ from the schemas (run make readme-options):\n${diff.join('\n')}`);
  const makefile = readFileSync(join(ROOT, 'Makefile'), 'utf8');
  const targets = [...makefile.matchAll(/^([a-z-]+):.*## /gm)].map((m) => m[1]!);
  assert.ok(targets.length >= 5);
  for (const t of targets) assert.ok(readme.includes(`\`make ${t}\``), `README documents make ${t}`);
});

test.run();
