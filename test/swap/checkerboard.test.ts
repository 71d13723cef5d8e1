/**
 * The checkerboard measure: all of a pure checkerboard's energy, almost none of a real face's,
 * and a face with a faint checkerboard added scores in between, growing with its strength.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkerboardEnergy } from '../../src/swap/checkerboard.ts';
import { faceCrop } from '../helpers/data.ts';

const test = suite('swap/checkerboard');

test('a checkerboard is all checkerboard, a face almost none, a face with one added in between', async () => {
  const s = 64;
  const board = Float32Array.from({ length: s * s * 3 }, (_, i) => ((Math.floor(i / 3) % s) + Math.floor(i / 3 / s)) % 2);
  assert.ok(Math.abs(checkerboardEnergy(board, s) - 1) < 1e-9);
  const face = await faceCrop('a', s);
  const clean = checkerboardEnergy(face, s);
  assert.ok(clean < 1e-3, `a photo: ${clean}`);
  const withBoard = (k: number) => Float32Array.from(face, (v, i) => v + k * (board[i]! - 0.5));
  const faint = checkerboardEnergy(withBoard(0.02), s);
  const strong = checkerboardEnergy(withBoard(0.1), s);
  assert.ok(clean < faint && faint < strong && strong < 1, `${clean} < ${faint} < ${strong}`);
  assert.is(checkerboardEnergy(new Float32Array(s * s * 3).fill(0.5), s), 0, 'a flat image has none');
});

test.run();
