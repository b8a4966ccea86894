#!/usr/bin/env node
// redoubt: the tool CLI. Security tooling (init, audit) lands here; for now it reports its version.

import { REDIS_VERSION, REDOUBT_VERSION } from '../server/version.js';

const HELP = `Usage: redoubt <command>

Commands:
  version     print the Redoubt version and the Redis version it is compatible with
  help        this text

The server itself is redoubt-server (same argv as redis-server).
`;

function main(argv: string[]): number {
  const cmd = argv[0] ?? 'help';
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

process.exitCode = main(process.argv.slice(2));
