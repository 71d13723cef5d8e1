/**
 * A ByteWindow over a file read in small chunks gives the file's bytes at every index, forwards,
 * backwards and at random, undefined outside them, and its text across chunk boundaries (UTF-8
 * characters split between chunks included); over a Buffer, the Buffer's.
 */
import { closeSync, openSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ByteWindow } from '../../src/util/byte-window.ts';
import { Rng } from '../../src/util/rng.ts';
import { tempDir } from '../helpers/fixtures.ts';

const test = suite('util/byte-window');
const tmp = tempDir('byte-window');
test.after(() => tmp.cleanup());

const text = Array.from({ length: 40 }, (_, i) => `line ${i}: héllo wörld ✓ 日本 ${'x'.repeat(i % 5)}\n`).join('');
const bytes = Buffer.from(text);
const file = join(tmp.dir, 'bytes.txt');
writeFileSync(file, bytes);

function withFile<T>(chunk: number, use: (w: ByteWindow) => T, length = bytes.length): T {
  const fd = openSync(file, 'r');
  try {
    return use(ByteWindow.ofFile(fd, length, chunk));
  } finally {
    closeSync(fd);
  }
}

test('every byte, forwards, backwards and at random; undefined outside', () => {
  const rng = Rng.fromSeed(7);
  const random = () => rng.next();
  for (const chunk of [1, 3, 64, 1 << 20]) {
    withFile(chunk, (w) => {
      assert.is(w.length, bytes.length);
      for (let i = 0; i < bytes.length; i++) assert.is(w.at(i), bytes[i], `chunk ${chunk}, forwards at ${i}`);
      for (let i = bytes.length - 1; i >= 0; i--) assert.is(w.at(i), bytes[i], `chunk ${chunk}, backwards at ${i}`);
      for (let n = 0; n < 500; n++) {
        const i = Math.floor(random() * bytes.length);
        assert.is(w.at(i), bytes[i], `chunk ${chunk}, at random ${i}`);
      }
      assert.is(w.at(-1), undefined);
      assert.is(w.at(bytes.length), undefined);
      assert.is(w.at(0), bytes[0], 'back to the start after the end');
    });
  }
  const whole = ByteWindow.of(bytes);
  assert.equal(Array.from({ length: bytes.length }, (_, i) => whole.at(i)), [...bytes]);
  assert.is(whole.at(bytes.length), undefined);
});

test('text of any range, across chunks, multi-byte characters whole', () => {
  const rng = Rng.fromSeed(11);
  const random = () => rng.next();
  for (const chunk of [1, 5, 64]) {
    withFile(chunk, (w) => {
      for (let n = 0; n < 300; n++) {
        const a = Math.floor(random() * bytes.length);
        const b = a + Math.floor(random() * 200);
        w.at(Math.floor(random() * bytes.length)); // the window anywhere
        assert.is(w.text(a, b), bytes.toString('utf8', a, Math.min(b, bytes.length)), `chunk ${chunk}: [${a}, ${b})`);
      }
      // every range near the window's edges: the window at p, text from around p
      for (let p = 0; p < bytes.length; p += 3) {
        for (let a = Math.max(0, p - 2); a < p + 3; a++) {
          for (let b = a; b < a + 2 * chunk + 2; b++) {
            w.at(p);
            assert.is(w.text(a, b), bytes.toString('utf8', a, Math.min(b, bytes.length)), `chunk ${chunk}, window at ${p}: [${a}, ${b})`);
          }
        }
      }
      assert.is(w.text(0, bytes.length), text, 'the whole text');
      assert.is(w.text(10, 10), '');
    });
  }
  assert.is(ByteWindow.of(bytes).text(5, 30), bytes.toString('utf8', 5, 30));
});

test('the first `length` bytes only; a file that shrank ends where it ends', () => {
  withFile(4, (w) => {
    assert.is(w.length, 10);
    assert.is(w.at(9), bytes[9]);
    assert.is(w.at(10), undefined, 'past the length given, though the file goes on');
  }, 10);
  const short = join(tmp.dir, 'short.txt');
  writeFileSync(short, bytes);
  const fd = openSync(short, 'r');
  try {
    const w = ByteWindow.ofFile(fd, bytes.length, 8);
    truncateSync(short, 20);
    assert.is(w.at(19), bytes[19]);
    assert.is(w.at(20), undefined, 'no byte where the file no longer has one');
    assert.is(w.text(15, 40), bytes.toString('utf8', 15, 20));
  } finally {
    closeSync(fd);
  }
});

test.run();
