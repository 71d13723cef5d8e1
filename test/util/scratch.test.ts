/**
 * Scratch arrays: one per key, reused while big enough, zero-filled when asked, grown when a
 * call wants more, and of the asked type and length.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { scratch } from '../../src/util/scratch.ts';

const test = suite('util/scratch');

test('reused per key, zero-filled on request, grown and retyped when needed', () => {
  const a = scratch('test.a', Uint8Array, 16);
  assert.is(a.length, 16);
  a.fill(7);
  const kept = scratch('test.a', Uint8Array, 16, false);
  assert.is(kept.buffer, a.buffer, 'the same memory');
  assert.ok(kept.every((v) => v === 7), 'not zeroed when told not to');
  const zeroed = scratch('test.a', Uint8Array, 8);
  assert.is(zeroed.length, 8);
  assert.is(zeroed.buffer, a.buffer, 'a shorter view of the same memory');
  assert.ok(zeroed.every((v) => v === 0), 'zeroed');
  assert.is(a[8], 7, 'past the asked length untouched');
  const bigger = scratch('test.a', Uint8Array, 32);
  assert.is(bigger.length, 32);
  assert.is.not(bigger.buffer, a.buffer, 'grown');
  const other = scratch('test.b', Uint8Array, 16);
  assert.is.not(other.buffer, bigger.buffer, 'one per key');
  const floats = scratch('test.a', Float32Array, 4);
  assert.ok(floats instanceof Float32Array && floats.length === 4, 'retyped');
});

test.run();
