/**
 * A run folder read back by status/stage/clean: the pipeline and the --set overrides it
 * recorded; a damaged --set record is a UserError naming the state file, not a TypeError.
 */
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveRun } from '../../src/cli/run-folder.ts';
import { openRunState, stateDir } from '../../src/dag/run-folder.ts';
import { assertFileRejects } from '../helpers/corrupt.ts';
import { ROOT, tempDir } from '../helpers/fixtures.ts';

const test = suite('cli/run-folder');
const tmp = tempDir('run-folder');
test.after(() => tmp.cleanup());

function runFolder(name: string, sets: string): string {
  const workdir = join(tmp.dir, name);
  const store = openRunState(workdir);
  store.setMeta('pipeline', join(ROOT, 'pipelines/swap.yaml'));
  store.setMeta('sets', sets);
  store.close();
  return workdir;
}

test('the recorded --set overrides are applied; a damaged record names the state file', async () => {
  const ok = await resolveRun({ workdir: runFolder('ok', JSON.stringify(['preset=small'])) });
  assert.is(ok.pipeline.params.preset, 'small');
  const db = (w: string) => join(stateDir(w), 'state.db');
  const wrong = runFolder('wrong', JSON.stringify(['preset=small', 3]));
  await assertFileRejects(() => resolveRun({ workdir: wrong }), db(wrong), /\(meta sets\) is not a valid --set list: 1: expected a string, got 3/);
  const cut = runFolder('cut', '["preset=sm');
  await assertFileRejects(() => resolveRun({ workdir: cut }), db(cut), /cannot read --set list .*\(meta sets\): not valid JSON/);
});

test.run();
