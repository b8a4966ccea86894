#!/usr/bin/env node
// redoubt: the tool CLI — hardened deployments (init), passwords for ACL files (genpass,
// hashpass) and security audits (audit). Each subcommand lives in src/tools/.

import { REDIS_VERSION, REDOUBT_VERSION } from '../server/version.js';
import { runGenpass, runHashpass } from '../tools/passwords.js';
import { runInit } from '../tools/init/cli.js';
import { runAudit } from '../tools/audit/cli.js';

const HELP = `Usage: redoubt <command> [options]

Commands:
  init        write a hardened deployment: CA and certificates, ACL users, TLS-only redoubt.conf
  genpass     print a random password (default 256 bits, as hex), like ACL GENPASS
  hashpass    read a password from stdin, print the ACL rule that stores it hashed (#<sha256>)
  audit       check a config file and/or a live server against the security checklists
  version     print the Redoubt version and the Redis version it is compatible with
  help        this text

Run 'redoubt <command> --help' for a command's options.
The server itself is redoubt-server (same argv as redis-server).
`;

async function main(argv: string[]): Promise<number> {
  const cmd = argv[0] ?? 'help';
  const rest = argv.slice(1);
  if (cmd === 'init') return runInit(rest);
  if (cmd === 'genpass') return runGenpass(rest);
  if (cmd === 'hashpass') return runHashpass(rest);
  if (cmd === 'audit') return await runAudit(rest);
  if (cmd === 'version' || cmd === '--version' || cmd === '-v') {
    process.stdout.write(`redoubt ${REDOUBT_VERSION} (Redis ${REDIS_VERSION} compatible)\n`);
    return 0;
  }
  if (cmd === 'help' || cmd === '--help' || cmd === '-h') {
    process.stdout.write(HELP);
    return 0;
  }
  process.stderr.write(`redoubt: unknown command '${cmd}'\n${HELP}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`redoubt: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  },
);
