/**
 * The benchmark's files read back validated: the plan (models.json, plan.json, which the baseline
 * detector reads), metadata.json and baseline.json, each written by its writer; damaged copies (a wrong type,
 * a missing field, cut short) are UserErrors naming the file and the field.
 */
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BenchmarkConfig } from '../../src/config/benchmark.ts';
import { baselinePath, readBaseline, writeBaseline, type BaselineResult } from '../../src/benchmark/baseline-file.ts';
import { planDir } from '../../src/benchmark/layout.ts';
import { metadataPath, readMetadata, writeMetadata, type BenchmarkMetadata } from '../../src/benchmark/metadata.ts';
import { readPlanModels, readPlanRecord } from '../../src/benchmark/plan-files.ts';
import { makePlan, writePlan } from '../../src/benchmark/plan.ts';
import { assertFileError, editedCopy, truncatedCopy } from '../helpers/corrupt.ts';
import { tempDir } from '../helpers/fixtures.ts';

const test = suite('benchmark/files');
const tmp = tempDir('bench-files');
test.after(() => tmp.cleanup());

const ids = ['anna', 'ben', 'cleo', 'dan'];
const manifest = { file: '/m/bench.csv', videos: ids.map((identity) => ({ id: `${identity}-01`, video: `/v/${identity}.mp4`, identity })), identities: ids, settings: {} };


test('plan/models.json and plan/plan.json read back; damaged copies name the file and field', async () => {
  const out = join(tmp.dir, 'bench');
  const plan = makePlan(manifest, BenchmarkConfig.parse({ weights: '/w/models' }));
  await writePlan(plan, out);
  assert.equal(readPlanModels(out), plan.models);
  assert.equal(readPlanRecord(out).config.weights, '/w/models');
  assert.equal(readPlanRecord(out).pairs, plan.pairs);
  const split = join(tmp.dir, 'split');
  const seed = join(tmp.dir, 'seed');
  const pairs = join(tmp.dir, 'pairs');
  const cut = join(tmp.dir, 'cut');
  const models = (dir: string) => join(planDir(dir), 'models.json');
  const record = (dir: string) => join(planDir(dir), 'plan.json');
  editedCopy(models(out), models(split), (d) => void (d[0].split = 'dev'));
  assertFileError(() => readPlanModels(split), models(split), /is not a valid benchmark plan \(models\.json\): 0\.split: expected one of train\|val\|test, got "dev"/);
  editedCopy(record(out), record(seed), (d) => void (d.config.seed = 'x'));
  assertFileError(() => readPlanRecord(seed), record(seed), /config\.seed: expected a number, got "x"/);
  editedCopy(record(out), record(pairs), (d) => void delete d.pairs[0].key);
  assertFileError(() => readPlanRecord(pairs), record(pairs), /pairs\.0\.key: missing \(expected a string\)/);
  truncatedCopy(models(out), models(cut));
  assertFileError(() => readPlanModels(cut), models(cut), /not valid JSON/);
});

test('metadata.json reads back; a folder without one, and damaged copies, are named', async () => {
  const dir = join(tmp.dir, 'meta');
  const files = (kind: string, id: string) => ({ c0: `${kind}/c0/${id}.mp4`, c23: `${kind}/c23/${id}.mp4`, c40: `${kind}/c40/${id}.mp4` });
  const metadata: BenchmarkMetadata = {
    'anna-01.mp4': { label: 'REAL', original: null, split: 'train', source: 'anna', target: null, method: null, model: null, frames: 30, framesSwapped: 0, files: files('real', 'anna-01'), mask: null, provenance: null },
    'anna-01__ben.mp4': { label: 'FAKE', original: 'anna-01.mp4', split: 'train', source: 'anna', target: 'ben', method: 'm', model: 'f'.repeat(64), frames: 30, framesSwapped: 28, files: files('fake', 'anna-01__ben'), mask: 'masks/anna-01__ben.mp4', provenance: 'fake/provenance/anna-01__ben.provenance.json' },
  };
  await writeMetadata(dir, metadata);
  assert.equal(readMetadata(dir), metadata);
  assertFileError(() => readMetadata(join(tmp.dir, 'no-dataset')), join(tmp.dir, 'no-dataset'), /no-dataset has no metadata\.json/);
  const label = join(tmp.dir, 'meta-label');
  const cut = join(tmp.dir, 'meta-cut');
  editedCopy(metadataPath(dir), metadataPath(label), (d) => void (d['anna-01.mp4'].label = 'REAL?'));
  assertFileError(() => readMetadata(label), metadataPath(label), /anna-01\.mp4\.label: expected one of REAL\|FAKE, got "REAL\?"/);
  truncatedCopy(metadataPath(dir), metadataPath(cut));
  assertFileError(() => readMetadata(cut), metadataPath(cut), /not valid JSON/);
});

test('baseline.json reads back; damaged copies name the file and field', async () => {
  const dir = join(tmp.dir, 'dataset');
  const score = (auc: number | null) => ({ faces: 8, real: 4, fake: 4, auc, accuracy: auc });
  const result: BaselineResult = {
    schema: 'janus.baseline/2',
    detector: 'logistic regression on encoder latents (enc_latent), per face',
    features: { model: '/w/anna__ben', fingerprint: 'f'.repeat(64), dims: 128, level: 'c23', facesPerVideo: 4 },
    train: score(1),
    val: score(null),
    test: score(0.75),
    cnn: { describe: 'a small CNN', epochs: 12, seed: 1 },
    table: [{ detector: 'cnn', data: 'GB', trainedOn: 'c23', ...score(0.5) }],
    note: null,
    metadataSha256: 'a'.repeat(64),
  };
  await writeBaseline(dir, result);
  assert.equal(readBaseline(dir), result);
  const auc = join(tmp.dir, 'auc');
  const level = join(tmp.dir, 'level');
  const missing = join(tmp.dir, 'missing');
  const cut = join(tmp.dir, 'cut');
  editedCopy(baselinePath(dir), baselinePath(auc), (d) => void (d.test.auc = 'high'));
  assertFileError(() => readBaseline(auc), baselinePath(auc), /is not a valid janus\.baseline\/2 file: test\.auc: expected a number, got "high"/);
  editedCopy(baselinePath(dir), baselinePath(level), (d) => void (d.features.level = 'c99'));
  assertFileError(() => readBaseline(level), baselinePath(level), /features\.level: expected one of c0\|c23\|c40, got "c99"/);
  editedCopy(baselinePath(dir), baselinePath(missing), (d) => void delete d.val);
  assertFileError(() => readBaseline(missing), baselinePath(missing), /val: missing \(expected an object\)/);
  truncatedCopy(baselinePath(dir), baselinePath(cut));
  assertFileError(() => readBaseline(cut), baselinePath(cut), /not valid JSON/);
});

test.run();
