/**
 * The benchmark's quality gate: a blur that sits closer to the target than to the source but
 * near neither (the 20-iteration mini benchmark's 0.73 / 0.90) is dropped by the distance rule,
 * naming the distance and the threshold; a good fake passes; each threshold holds at its
 * boundary. (That metrics.json is validated where the gate reads it: test/swap/records.test.ts.)
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gateReason, type GateMetrics } from '../../src/benchmark/quality-gate.ts';
import { BenchmarkConfig } from '../../src/config/benchmark.ts';

const test = suite('benchmark/gate');

const gate = BenchmarkConfig.parse({});
const fake = (toTarget: number, toSource: number, closerToTarget: number, swapped = 20): GateMetrics => ({
  identity: { swapped: { toSource: { mean: toSource }, toTarget: { mean: toTarget, median: toTarget }, closerToTarget } },
  frames: { total: 20, swapped },
});

test('the defaults: at most 0.6 from the target, most faces closer to it', () => {
  assert.is(gate.maxTargetDistance, 0.6);
  assert.is(gate.minIdentityShare, 0.5);
  assert.is(gate.identityGate, true);
});

test('a blur closer to the target than to the source but near neither is dropped, naming the distance and the threshold', () => {
  const blur = fake(0.73, 0.9, 1);
  const r = gateReason(blur, gate);
  assert.ok(r);
  assert.match(r, /median distance to it is 0\.730, not below the 0\.6 maximum \(maxTargetDistance\)/);
  // the old gate (closer to the target on average, enough frames) let it through
  assert.is(gateReason(blur, { ...gate, maxTargetDistance: 2, minIdentityShare: 0 }), null);
  // its mirror (the same blob for the other direction) fails the first identity rule
  assert.match(gateReason(fake(0.9, 0.73, 0), gate)!, /not closer to the target \(distance 0\.900\) than to the source \(0\.730\)/);
});

test('a good fake passes', () => {
  assert.is(gateReason(fake(0.42, 0.81, 0.95), gate), null);
});

test('each threshold at its boundary', () => {
  // median distance: strictly below
  assert.match(gateReason(fake(0.6, 0.9, 1), gate)!, /0\.600, not below the 0\.6 maximum/);
  assert.is(gateReason(fake(0.5999, 0.9, 1), gate), null);
  assert.is(gateReason(fake(0.7, 0.9, 1), { ...gate, maxTargetDistance: 0.7001 }), null);
  // identity share: at least
  assert.is(gateReason(fake(0.5, 0.7, 0.5), gate), null);
  assert.match(gateReason(fake(0.5, 0.7, 0.45), gate)!, /only 45% of the swapped faces are closer to the target than to the source, below the 50% minimum \(minIdentityShare\)/);
  assert.is(gateReason(fake(0.5, 0.7, 0.8), { ...gate, minIdentityShare: 0.8 }), null);
  assert.ok(gateReason(fake(0.5, 0.7, 0.79), { ...gate, minIdentityShare: 0.8 }));
  // swapped frames: at least
  assert.is(gateReason(fake(0.5, 0.7, 1, 10), gate), null);
  assert.match(gateReason(fake(0.5, 0.7, 1, 9), gate)!, /swapped 9 of 20 frames \(45%\), below the 50% minimum/);
  // on average closer to the target: strictly
  assert.match(gateReason(fake(0.55, 0.55, 1), gate)!, /not closer to the target/);
});

test('the identity gate off keeps what does not read as the target, still not what swapped too few frames', () => {
  const off = { ...gate, identityGate: false };
  assert.is(gateReason(fake(0.73, 0.9, 1), off), null);
  assert.is(gateReason(fake(0.9, 0.5, 0), off), null);
  assert.match(gateReason(fake(0.5, 0.9, 1, 5), off)!, /swapped 5 of 20 frames/);
  assert.match(gateReason({ identity: { swapped: null }, frames: { total: 20, swapped: 20 } }, gate)!, /no identity distances/);
});

test.run();
