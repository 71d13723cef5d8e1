/**
 * The baseline detector's classifier and its numbers: rank-based ROC AUC equals the pairwise
 * count (ties half) on random data with many ties, and the degenerate cases are defined; the
 * logistic regression separates separable data (also unbalanced, also with a constant
 * feature), is deterministic, and refuses to train on nothing.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { accuracy, rocAuc, trainLogistic } from '../../src/benchmark/classifier.ts';
import { rng } from '../helpers/numbers.ts';

const test = suite('benchmark/classifier');

/** The definition: every positive against every negative, ties counted half. */
function pairwiseAuc(scores: readonly number[], labels: readonly number[]): number | null {
  const pos = scores.filter((_, i) => labels[i] === 1);
  const neg = scores.filter((_, i) => labels[i] !== 1);
  if (!pos.length || !neg.length) return null;
  let s = 0;
  for (const p of pos) for (const q of neg) s += p > q ? 1 : p === q ? 0.5 : 0;
  return s / (pos.length * neg.length);
}

/** Two Gaussian blobs `gap` apart along every axis; `fake` of `n` rows labelled 1. */
function blobs(n: number, fake: number, dims: number, gap: number, seed: number): { x: Float32Array[]; y: number[] } {
  const r = rng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const y = Array.from({ length: n }, (_, i) => (i < fake ? 1 : 0));
  const x = y.map((label) => Float32Array.from({ length: dims }, () => normal() + label * gap));
  return { x, y };
}

test('rocAuc equals the pairwise count on random scores with many ties (and any label order)', () => {
  const r = rng(21);
  for (let trial = 0; trial < 200; trial++) {
    const n = 2 + Math.floor(r() * 60);
    const levels = 1 + Math.floor(r() * 8); // few distinct scores: many ties
    const scores = Array.from({ length: n }, () => Math.floor(r() * levels) / levels);
    const labels = Array.from({ length: n }, () => (r() < 0.4 ? 1 : 0));
    const want = pairwiseAuc(scores, labels);
    const got = rocAuc(scores, labels);
    if (want === null) assert.is(got, null);
    else assert.ok(got !== null && Math.abs(got - want) < 1e-12, `trial ${trial}: ${got} vs ${want}`);
  }
});

test('rocAuc: the defined cases', () => {
  assert.is(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 1);
  assert.is(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]), 0);
  assert.is(rocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]), 0.5);
  assert.is(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
  // labels other than 1 count as negatives
  assert.is(rocAuc([0.1, 0.9], [-1, 1]), 1);
});

test('rocAuc: null without both classes; mismatched lengths and non-finite scores are bugs', () => {
  assert.is(rocAuc([], []), null);
  assert.is(rocAuc([0.2, 0.7], [1, 1]), null);
  assert.is(rocAuc([0.2, 0.7], [0, 0]), null);
  assert.throws(() => rocAuc([0.2, 0.7], [0]), /one label per score/);
  assert.throws(() => rocAuc([0.2, NaN], [0, 1]), /finite scores/);
});

test('rocAuc scales: 200k scores in a few seconds at most (the pairwise count, 10^10 comparisons, would take minutes)', () => {
  const r = rng(22);
  const n = 200_000;
  const scores = Array.from({ length: n }, () => r());
  const labels = scores.map((s) => (r() < s ? 1 : 0));
  const t = performance.now();
  const auc = rocAuc(scores, labels)!;
  assert.ok(performance.now() - t < 3000, `${(performance.now() - t).toFixed(0)} ms`);
  // P(label 1) = score: positives' scores have density 2s, negatives' 2(1 - s), so AUC = 5/6
  assert.ok(Math.abs(auc - 5 / 6) < 0.01, `AUC ${auc}`);
});

test('accuracy: the share on the right side of the threshold; null for no scores', () => {
  assert.is(accuracy([0.2, 0.6, 0.4, 0.9], [0, 1, 1, 1]), 0.75);
  assert.is(accuracy([0.5], [1]), 1, 'the threshold itself counts as fake');
  assert.is(accuracy([0.2, 0.3], [0, 0], 0.25), 0.5);
  assert.is(accuracy([], []), null);
});

test('trainLogistic separates separable data: AUC 1 and accuracy 1 on held-out rows', () => {
  const train = blobs(80, 40, 5, 4, 31);
  const held = blobs(60, 30, 5, 4, 32);
  const clf = trainLogistic(train.x, train.y);
  const scores = held.x.map((x) => clf.score(x));
  assert.ok(scores.every((s) => s > 0 && s < 1), 'scores are probabilities');
  assert.is(rocAuc(scores, held.y), 1);
  assert.is(accuracy(scores, held.y), 1);
});

test('trainLogistic: overlapping classes sit between chance and perfect; swapped labels swap the scores', () => {
  const d = blobs(200, 100, 2, 1, 33);
  const clf = trainLogistic(d.x, d.y);
  const auc = rocAuc(d.x.map((x) => clf.score(x)), d.y)!;
  assert.ok(auc > 0.7 && auc < 0.99, `AUC ${auc}`);
  const flipped = trainLogistic(d.x, d.y.map((y) => 1 - y));
  assert.ok(Math.abs(rocAuc(d.x.map((x) => flipped.score(x)), d.y)! - (1 - auc)) < 1e-9);
});

test('trainLogistic is deterministic: the same rows give the same scores, bit for bit', () => {
  const d = blobs(50, 20, 4, 2, 34);
  const a = trainLogistic(d.x, d.y);
  const b = trainLogistic(d.x.map((x) => Float32Array.from(x)), [...d.y]);
  for (const x of d.x) assert.is(a.score(x), b.score(x));
});

test('trainLogistic: an unbalanced split still finds the minority (class weights); a constant feature is harmless', () => {
  const d = blobs(200, 12, 3, 3, 35);
  for (const x of d.x) x[2] = 7; // no spread: standardised by 1, not by 0
  const clf = trainLogistic(d.x, d.y);
  const scores = d.x.map((x) => clf.score(x));
  assert.ok(scores.every(Number.isFinite));
  const fakes = scores.filter((_, i) => d.y[i] === 1);
  assert.ok(fakes.filter((s) => s >= 0.5).length / fakes.length >= 0.9, 'the minority class is found');
  assert.ok(rocAuc(scores, d.y)! > 0.97);
});

test('trainLogistic: no rows is an error; one class gives finite scores leaning to it', () => {
  assert.throws(() => trainLogistic([], []), /no training rows/);
  const d = blobs(20, 20, 2, 0, 36);
  const clf = trainLogistic(d.x, d.y);
  for (const x of d.x) {
    const s = clf.score(x);
    assert.ok(Number.isFinite(s) && s > 0.5, `score ${s}`);
  }
});

test.run();
