/**
 * Janus only deletes what it made: before a command writes into a folder the user named
 * (`--out`, `--workdir`), it refuses one that exists, is not empty and was not made by Janus
 * (a run folder's `.janus/`, a model folder's checkpoints), naming the folder, a few of its
 * files and the escape flag. Nothing there is touched.
 *
 *   refuseForeignFolder('runs/x', { what: 'run folder', isOurs: isRunFolder, escape: '--force-folder' });
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { UserError } from './errors.ts';

export interface ForeignFolderCheck {
  /** What the folder is for, in the message ("output folder", "run folder"). */
  what: string;
  /** A folder Janus made (its marker files are there). */
  isOurs(dir: string): boolean;
  /** The flag that uses such a folder anyway, e.g. `--force`. */
  escape: string;
  /** The user passed the escape. */
  force?: boolean;
}

export function refuseForeignFolder(dir: string, check: ForeignFolderCheck): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new UserError(`the ${check.what} "${dir}" is a file, not a folder`, 'choose a folder path (it is made when missing)');
  if (check.force) return;
  const entries = readdirSync(dir).sort();
  if (!entries.length || check.isOurs(dir)) return;
  const shown = entries.slice(0, 4).join(', ') + (entries.length > 4 ? `, … (${entries.length} entries)` : '');
  throw new UserError(
    `the ${check.what} "${dir}" already holds files Janus did not make (${shown}); nothing was touched`,
    `choose a new or empty folder, or pass ${check.escape} to use this one anyway (Janus never removes a file it did not make)`,
  );
}
