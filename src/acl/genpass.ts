// Random passwords as ACL GENPASS makes them: ceil(bits/4) hex characters from the CSPRNG.
// Shared by the ACL command and the `redoubt genpass` / `redoubt init` tools.

import { randomBytes } from 'node:crypto';

export const GENPASS_MAX_BITS = 4096;

export function generatePassword(bits = 256): string {
  const chars = Math.floor((bits + 3) / 4);
  return randomBytes(Math.ceil(chars / 2))
    .toString('hex')
    .slice(0, chars);
}
