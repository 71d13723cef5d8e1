/**
 * The model folder's logs, loss.jsonl and quality.jsonl: what the writer wrote reads back (up to
 * an iteration); a line of the wrong type, with a field missing, or cut short is a UserError
 * naming the file, the line and the field.
 */
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lossLogPath, readLossLog, writeLossLog, type LossEntry } from '../../src/train/loss-log.ts';
import { qualityLogPath, readQualityLog, writeQualityLog, type QualityEntry } from '../../src/train/quality-log.ts';
import { assertFileError, lineEditedCopy, truncatedCopy } from '../helpers/corrupt.ts';
import { tempDir } from '../helpers/fixtures.ts';

const test = suite('train/logs');
const tmp = tempDir('logs');
test.after(() => tmp.cleanup());

const losses: LossEntry[] = [1, 2, 3].map((i) => ({ iteration: i, lossA: 0.3 / i, lossB: 0.4 / i, seconds: i * 0.5, lr: 5e-5, warp: i < 3 }));
const quality: QualityEntry[] = [1, 2].map((i) => ({ iteration: i * 10, minutes: i, identityShare: 0.5, medianToTarget: 0.55, medianToSource: 0.7, maskSsim: 0.8, reconstructionSsim: 0.7, faces: { source: 3, target: 3 } }));


test('loss.jsonl: written, read back up to an iteration; none yet is empty', async () => {
  const out = join(tmp.dir, 'model');
  await writeLossLog(out, losses);
  assert.equal(readLossLog(out), losses);
  assert.equal(readLossLog(out, 2).map((e) => e.iteration), [1, 2]);
  assert.equal(readLossLog(join(tmp.dir, 'nothing')), []);
  await writeLossLog(join(tmp.dir, 'empty'), []);
  assert.equal(readLossLog(join(tmp.dir, 'empty')), []);
});

test('loss.jsonl: a wrong type, a missing field, a cut line: the file, line and field', () => {
  const src = lossLogPath(join(tmp.dir, 'model'));
  const wrong = join(tmp.dir, 'loss-wrong');
  const missing = join(tmp.dir, 'loss-missing');
  const cut = join(tmp.dir, 'loss-cut');
  lineEditedCopy(src, lossLogPath(wrong), 2, (l) => l.replace(/"lossA":[^,]+/, '"lossA":"low"'));
  assertFileError(() => readLossLog(wrong), lossLogPath(wrong), /loss\.jsonl" line 2 is not a valid loss log entry: lossA: expected a number, got "low"/);
  lineEditedCopy(src, lossLogPath(missing), 3, (l) => l.replace(/"iteration":\d+,/, ''));
  assertFileError(() => readLossLog(missing), lossLogPath(missing), /loss\.jsonl" line 3 is not a valid loss log entry: iteration: missing \(expected a number\)/);
  truncatedCopy(src, lossLogPath(cut), 0.8);
  assertFileError(() => readLossLog(cut), lossLogPath(cut), /loss\.jsonl" line 3: not valid JSON/);
});

test('quality.jsonl: read back; damaged lines name the file, line and field', async () => {
  const out = join(tmp.dir, 'model');
  await writeQualityLog(out, quality);
  assert.equal(readQualityLog(out), quality);
  assert.equal(readQualityLog(out, 10).length, 1);
  const wrong = join(tmp.dir, 'q-wrong');
  const missing = join(tmp.dir, 'q-missing');
  lineEditedCopy(qualityLogPath(out), qualityLogPath(wrong), 2, (l) => l.replace('"identityShare":0.5', '"identityShare":1.5'));
  assertFileError(() => readQualityLog(wrong), qualityLogPath(wrong), /quality\.jsonl" line 2 is not a valid quality log entry: identityShare: expected <= 1, got 1\.5/);
  lineEditedCopy(qualityLogPath(out), qualityLogPath(missing), 1, (l) => l.replace(/"faces":\{[^}]*\}/, '"faces":{"source":3}'));
  assertFileError(() => readQualityLog(missing), qualityLogPath(missing), /line 1 is not a valid quality log entry: faces\.target: missing \(expected a number\)/);
});

test.run();
