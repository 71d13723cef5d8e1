/**
 * Comparing an output with its recomputation (src/verify/compare.ts): the first differing byte
 * and file, missing and extra files, PSNR of images, the run folder's path and the clock's
 * records set aside (and only those), and the fingerprints a reproduction kit expects.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compareOutput, compareWithFingerprints, firstDifferingByte, outputFingerprints, psnr8 } from '../../src/verify/compare.ts';
import { tempDir } from '../helpers/fixtures.ts';

const test = suite('verify/compare');
const tmp = tempDir('compare');
test.after(() => tmp.cleanup());

function tree(name: string, files: Record<string, string | Buffer>): string {
  const root = join(tmp.dir, name);
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), body);
  }
  return root;
}

test('the first differing byte, across block boundaries and lengths', () => {
  const a = Buffer.alloc((1 << 20) + 10, 7);
  const b = Buffer.from(a);
  b[(1 << 20) + 3] = 8;
  const dir = tree('bytes', { a, b, c: a.subarray(0, 100), same: a });
  assert.is(firstDifferingByte(join(dir, 'a'), join(dir, 'same')), -1);
  assert.is(firstDifferingByte(join(dir, 'a'), join(dir, 'b')), (1 << 20) + 3);
  assert.is(firstDifferingByte(join(dir, 'a'), join(dir, 'c')), 100, 'a shorter file differs where it ends');
});

test('folders: the first differing file and byte, missing and extra files, in file order', async () => {
  const a = tree('fa', { 'x/1.bin': 'aaaa', 'x/2.bin': 'bbbb', 'gone.bin': 'g' });
  const b = tree('fb', { 'x/1.bin': 'aaaa', 'x/2.bin': 'bbXb', 'new.bin': 'n' });
  const c = await compareOutput(a, b);
  assert.not.ok(c.identical);
  assert.is(c.files, 2);
  assert.equal(
    c.differences.map((d) => [d.file, d.kind, d.offset]),
    [
      ['gone.bin', 'missing', undefined],
      ['new.bin', 'extra', undefined],
      ['x/2.bin', 'bytes', 2],
    ],
  );
  assert.is(c.first!.file, 'gone.bin');
  assert.ok((await compareOutput(a, a)).identical);
});

test('images: the PSNR of the decoded pixels', async () => {
  const px = Buffer.alloc(16 * 16 * 3, 100);
  const other = Buffer.from(px);
  other[0] = 110;
  const dir = join(tmp.dir, 'img');
  mkdirSync(join(dir, 'a'), { recursive: true });
  mkdirSync(join(dir, 'b'), { recursive: true });
  await sharp(px, { raw: { width: 16, height: 16, channels: 3 } }).png().toFile(join(dir, 'a', 'f.png'));
  await sharp(other, { raw: { width: 16, height: 16, channels: 3 } }).png().toFile(join(dir, 'b', 'f.png'));
  const c = await compareOutput(join(dir, 'a'), join(dir, 'b'));
  const want = 10 * Math.log10((255 * 255) / (100 / (16 * 16 * 3)));
  assert.ok(Math.abs(c.first!.psnr! - want) < 1e-9, `${c.first!.psnr} vs ${want}`);
  assert.is(psnr8(px, px), Infinity);
});

test('the run folder\'s path and the clock\'s records are set aside, nothing else', async () => {
  const clockFields = [
    { file: /state\.json$/, keys: [['savedAt'], ['nested', 'seconds']] },
    { file: /log\.jsonl$/, keys: [['seconds']] },
    { file: /\.html$/, patterns: [/<td class="clock">[^<]*<\/td>/g] },
  ];
  const a = tree('ca', {
    'state.json': JSON.stringify({ iteration: 5, savedAt: 'monday', nested: { seconds: 1, kept: 2 } }),
    'log.jsonl': '{"iteration":1,"seconds":0.5}\n{"iteration":2,"seconds":0.9}\n',
    'r.html': '<td class="clock">3.1</td><td>5</td>',
    'paths.json': JSON.stringify({ file: '/runs/one/a/x.json' }),
  });
  const b = tree('cb', {
    'state.json': JSON.stringify({ iteration: 5, savedAt: 'tuesday', nested: { seconds: 9, kept: 2 } }),
    'log.jsonl': '{"iteration":1,"seconds":0.7}\n{"iteration":2,"seconds":1.9}\n',
    'r.html': '<td class="clock">4.7</td><td>5</td>',
    'paths.json': JSON.stringify({ file: '/tmp/scratch/a/x.json' }),
  });
  const aliases = [
    ['/runs/one', '${run}'],
    ['/tmp/scratch', '${run}'],
  ] as const;
  const c = await compareOutput(a, b, { aliases, clockFields });
  assert.ok(c.identical, JSON.stringify(c.differences));
  assert.is(c.normalised, 4);
  // a change outside the clock's records is still one
  writeFileSync(join(b, 'state.json'), JSON.stringify({ iteration: 6, savedAt: 'tuesday', nested: { seconds: 9, kept: 2 } }));
  writeFileSync(join(b, 'r.html'), '<td class="clock">4.7</td><td>6</td>');
  const d = await compareOutput(a, b, { aliases, clockFields });
  assert.equal(
    d.differences.map((x) => x.file),
    ['r.html', 'state.json'],
  );
  assert.not.ok((await compareOutput(a, b, { clockFields })).differences.some((x) => x.file === 'log.jsonl'), 'jsonl: per line');
  assert.ok((await compareOutput(a, b, { clockFields })).differences.some((x) => x.file === 'paths.json'), 'without the aliases the paths differ');
});

test('fingerprints: what a kit expects; a changed, a missing and an extra file are named', () => {
  const a = tree('ka', { 'm/1.png': 'one', 'm/2.png': 'two', 'm/r.json': '{"at":"/runs/one/m"}' });
  const fp = outputFingerprints(join(a, 'm'), { aliases: [['/runs/one', '${run}']] });
  assert.equal(Object.keys(fp).sort(), ['1.png', '2.png', 'r.json']);
  const b = tree('kb', { 'm/1.png': 'one', 'm/2.png': 'TWO', 'm/3.png': 'three', 'm/r.json': '{"at":"/elsewhere/m"}' });
  const c = compareWithFingerprints(join(b, 'm'), fp, { aliases: [['/elsewhere', '${run}']] });
  assert.equal(
    c.differences.map((d) => [d.file, d.kind]),
    [
      ['2.png', 'bytes'],
      ['3.png', 'extra'],
    ],
  );
  const gone = compareWithFingerprints(join(b, 'nothing'), fp);
  assert.is(gone.differences.length, 3);
  assert.ok(gone.differences.every((d) => d.kind === 'missing'));
  assert.equal(outputFingerprints(join(a, 'm', '1.png')), { '': fp['1.png'] }, 'an output that is one file');
});

test.run();
