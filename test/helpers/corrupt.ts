/**
 * Damaged copies of the files Janus writes, and the check that reading one is a clear error:
 * a `UserError` whose message names the file and the field, never a TypeError.
 *
 *   const bad = editedCopy(file, join(dir, 'bad.json'), (d) => { d.frames.total = 'abc'; });
 *   assertFileError(() => readMetrics(bad), bad, /frames\.total: expected a number, got "abc"/);
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as assert from 'uvu/assert';
import { UserError } from '../../src/util/errors.ts';

// the parsed file, edited freely to damage it
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

/** A copy of a JSON file with `edit` applied to its parsed content. */
export function editedCopy(file: string, out: string, edit: (doc: Doc) => void): string {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Doc;
  edit(doc);
  writeFileSync(out, JSON.stringify(doc, null, 2));
  return out;
}

/** A copy of a file cut to `fraction` of its characters (a crash mid-write, a full disk). */
export function truncatedCopy(file: string, out: string, fraction = 0.6): string {
  const text = readFileSync(file, 'utf8');
  writeFileSync(out, text.slice(0, Math.max(1, Math.floor(text.length * fraction))));
  return out;
}

function check(err: unknown, file: string, detail: RegExp): void {
  if (!(err instanceof UserError)) assert.unreachable(`expected a UserError, got ${err instanceof Error ? `${err.name}: ${err.stack}` : String(err)}`);
  const e = err as UserError;
  assert.ok(e.message.includes(file), `the message names the file ${file}: ${e.message}`);
  assert.match(e.message, detail);
  assert.ok(e.hint, 'with a hint');
}

/** `fn()` throws a UserError naming `file` and matching `detail` (the field and what was wrong). */
export function assertFileError(fn: () => unknown, file: string, detail: RegExp): void {
  try {
    fn();
  } catch (err) {
    check(err, file, detail);
    return;
  }
  assert.unreachable(`reading ${file} should have failed`);
}

/** Async `assertFileError`. */
export async function assertFileRejects(fn: () => Promise<unknown>, file: string, detail: RegExp): Promise<void> {
  try {
    await fn();
  } catch (err) {
    check(err, file, detail);
    return;
  }
  assert.unreachable(`reading ${file} should have failed`);
}
