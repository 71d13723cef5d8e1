/**
 * A small classifier for the baseline detector: L2-regularised logistic regression on
 * standardised features, trained by full-batch gradient descent (deterministic), and the
 * numbers detection papers report: ROC AUC and accuracy.
 *
 *   const clf = trainLogistic(features, labels);          // labels 0 (real) / 1 (fake)
 *   const scores = features.map((x) => clf.score(x));    // P(fake)
 *   rocAuc(scores, labels)   // 0.5 chance … 1 perfect
 */

export interface Logistic {
  score(x: ArrayLike<number>): number;
}

export function trainLogistic(xs: readonly ArrayLike<number>[], ys: readonly number[], opts: { epochs?: number; rate?: number; l2?: number } = {}): Logistic {
  if (!xs.length) throw new Error('trainLogistic: no training rows');
  const d = xs[0]!.length;
  const n = xs.length;
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (const x of xs) for (let j = 0; j < d; j++) mean[j]! += x[j]! / n;
  for (const x of xs) for (let j = 0; j < d; j++) std[j]! += (x[j]! - mean[j]!) ** 2 / n;
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]!) || 1;
  const z = xs.map((x) => Float64Array.from({ length: d }, (_, j) => (x[j]! - mean[j]!) / std[j]!));
  const w = new Float64Array(d);
  let b = 0;
  const epochs = opts.epochs ?? 300;
  const rate = opts.rate ?? 0.5;
  const l2 = opts.l2 ?? 1e-2;
  // class weights so an unbalanced split does not just learn the majority
  const pos = ys.filter((y) => y === 1).length;
  const wPos = pos ? n / (2 * pos) : 1;
  const wNeg = n - pos ? n / (2 * (n - pos)) : 1;
  const sigmoid = (t: number) => 1 / (1 + Math.exp(-t));
  for (let e = 0; e < epochs; e++) {
    const gw = new Float64Array(d);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      let t = b;
      for (let j = 0; j < d; j++) t += w[j]! * z[i]![j]!;
      const err = (sigmoid(t) - ys[i]!) * (ys[i] === 1 ? wPos : wNeg);
      for (let j = 0; j < d; j++) gw[j]! += (err * z[i]![j]!) / n;
      gb += err / n;
    }
    for (let j = 0; j < d; j++) w[j]! -= rate * (gw[j]! + l2 * w[j]!);
    b -= rate * gb;
  }
  return {
    score(x) {
      let t = b;
      for (let j = 0; j < d; j++) t += (w[j]! * (x[j]! - mean[j]!)) / std[j]!;
      return sigmoid(t);
    },
  };
}

/**
 * Area under the ROC curve: the chance that a random positive (label 1) scores above a random
 * negative (any other label), ties counted half. Mann-Whitney U from ranks (tied scores share
 * their average rank), O(n log n). Null without both classes (no curve to draw).
 */
export function rocAuc(scores: readonly number[], labels: readonly number[]): number | null {
  if (scores.length !== labels.length) throw new Error(`rocAuc: expected one label per score, got ${labels.length} labels for ${scores.length} scores`);
  const bad = scores.findIndex((s) => !Number.isFinite(s));
  if (bad >= 0) throw new Error(`rocAuc: expected finite scores, got ${scores[bad]} at ${bad}`);
  const pos = labels.filter((y) => y === 1).length;
  const neg = labels.length - pos;
  if (!pos || !neg) return null;
  const order = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSum = 0; // of the positives, ranks 1..n
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const rank = (i + j) / 2 + 1; // the average rank of the tied run i..j
    for (let k = i; k <= j; k++) if (labels[order[k]!] === 1) rankSum += rank;
    i = j + 1;
  }
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export function accuracy(scores: readonly number[], labels: readonly number[], threshold = 0.5): number | null {
  if (!scores.length) return null;
  return scores.filter((s, i) => (s >= threshold ? 1 : 0) === labels[i]).length / scores.length;
}
