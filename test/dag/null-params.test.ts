/**
 * A pipeline param written `~` leaves the stage params bound to it unset, so the stage kind's
 * schema default applies (defaults live only in src/config/), and `--set` still overrides it;
 * pipelines/swap.yaml relies on it for every setting it does not change.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { interpolate } from '../../src/dag/interpolate.ts';
import { loadPipeline } from '../../src/dag/load-pipeline.ts';
import { StageRegistry } from '../../src/dag/stage-kind.ts';
import { registerToyKinds } from './toy-kinds.ts';
import { tempDir } from '../helpers/fixtures.ts';

const test = suite('dag/null-params');
const tmp = tempDir('null-params');
test.after(() => tmp.cleanup());

test('a reference to a null param drops the key; a literal null and text stay', () => {
  const vars = { params: { size: null, n: 3 } };
  assert.equal(interpolate({ size: '${params.size}', n: '${params.n}' }, vars, 'w'), { n: 3 });
  assert.equal(interpolate({ size: null, label: 'size ${params.size}' }, vars, 'w'), { size: null, label: 'size null' });
});

test('the stage gets its schema default for a ~ param, and --set overrides it', async () => {
  const registry = new StageRegistry();
  registerToyKinds(registry);
  const file = join(tmp.dir, 'p.yaml');
  writeFileSync(file, ['name: p', 'params: { delay: ~, tag: ~ }', 'stages:', '  - name: gen', '    kind: toy-items', '    params: { count: 2, delayMs: "${params.delay}", tag: "${params.tag}" }', '    outputs: { dir: gen, index: gen.json }'].join('\n'));
  const p = await loadPipeline(file, registry);
  assert.equal(p.stages[0]!.params, { count: 2, delayMs: 0, tag: '' });
  const set = await loadPipeline(file, registry, { sets: ['delay=5', 'tag=x'] });
  assert.equal(set.stages[0]!.params, { count: 2, delayMs: 5, tag: 'x' });
});

test.run();
