// File-system steps of the config layer, with errors as C's strerror() texts: changing the
// working directory for `dir`, and checking a directory when the process must not chdir.

import { statSync } from 'node:fs';
import path from 'node:path';
import { strerror } from './values.js';

/** chdir(2); returns the strerror text on failure. */
export function chdirSync(dir: string): string | null {
  try {
    process.chdir(dir);
    return null;
  } catch (e) {
    return strerror(e);
  }
}

/** What chdir(dir) would report, without changing directory. */
export function checkDir(dir: string): string | null {
  try {
    return statSync(dir).isDirectory() ? null : 'Not a directory';
  } catch (e) {
    return strerror(e);
  }
}

/** An absolute directory path: `arg` relative to `base` (or to the process cwd). */
export function resolveDir(base: string, arg: string): string {
  return path.resolve(base === '' ? process.cwd() : base, arg);
}
