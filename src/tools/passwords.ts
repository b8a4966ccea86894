// `redoubt genpass [bits]` and `redoubt hashpass`: the two password chores of writing an ACL file
// by hand. hashpass reads the password from stdin so it never lands in shell history or `ps`.

import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { GENPASS_MAX_BITS, generatePassword } from '../acl/genpass.js';

const GENPASS_HELP = `Usage: redoubt genpass [bits]
Prints a random password of ceil(bits/4) hex characters (default 256 bits), like ACL GENPASS.
`;

const HASHPASS_HELP = `Usage: redoubt hashpass < password-file
       printf '%s' "$PASSWORD" | redoubt hashpass
Reads one password from stdin (a single trailing newline is dropped) and prints the ACL rule
'#<sha256>' that stores it hashed, for ACL files and 'user' directives.
`;

export function runGenpass(args: readonly string[]): number {
  if (args[0] === '--help' || args[0] === '-h') {
    process.stdout.write(GENPASS_HELP);
    return 0;
  }
  if (args.length > 1) return usage('genpass', GENPASS_HELP);
  let bits = 256;
  if (args.length === 1) {
    if (!/^[0-9]+$/.test(args[0]!)) return usage('genpass', GENPASS_HELP);
    bits = Number(args[0]);
  }
  if (bits <= 0 || bits > GENPASS_MAX_BITS) {
    process.stderr.write(`redoubt genpass: bits must be between 1 and ${GENPASS_MAX_BITS}\n`);
    return 2;
  }
  process.stdout.write(generatePassword(bits) + '\n');
  return 0;
}

/** The password bytes of stdin: one trailing "\n" or "\r\n" is the terminator, not the password. */
export function passwordFromInput(input: Buffer): Buffer {
  let end = input.length;
  if (end > 0 && input[end - 1] === 0x0a) end--;
  if (end > 0 && input[end - 1] === 0x0d) end--;
  return input.subarray(0, end);
}

export function hashRule(password: Buffer): string {
  return '#' + createHash('sha256').update(password).digest('hex');
}

export function runHashpass(args: readonly string[]): number {
  if (args[0] === '--help' || args[0] === '-h') {
    process.stdout.write(HASHPASS_HELP);
    return 0;
  }
  if (args.length > 0) return usage('hashpass', HASHPASS_HELP);
  const password = passwordFromInput(readFileSync(0));
  if (password.length === 0) {
    process.stderr.write('redoubt hashpass: empty password on stdin (use the nopass rule instead)\n');
    return 2;
  }
  process.stdout.write(hashRule(password) + '\n');
  return 0;
}

function usage(cmd: string, help: string): number {
  process.stderr.write(`redoubt ${cmd}: bad arguments\n${help}`);
  return 2;
}
