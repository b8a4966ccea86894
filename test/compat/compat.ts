// Runs the same command scripts against Redoubt and a real redis-server 7.0.15 and compares
// every reply byte for byte. Skipped, with the reason printed, when redis-server is absent.

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { hasRedis, startRedis, startRedoubt, type Proc } from '../support/server.js';
import { RawClient } from '../support/raw-client.js';

export type Script = (string | Buffer)[][];

/** Commands whose reply is a set in any order: elements are compared sorted. */
const UNORDERED = new Set(['KEYS', 'SMEMBERS', 'SUNION', 'SDIFF', 'SPOP', 'SRANDMEMBER']);

function normalize(cmd: readonly (string | Buffer)[], reply: Buffer): string {
  let text = reply.toString('latin1');
  // Client ids count the connections each server has accepted (readiness probes included).
  if (String(cmd[0]).toUpperCase() === 'HELLO') text = text.replace(/(\$2\r\nid\r\n:)\d+/, '$1<id>');
  if (!UNORDERED.has(String(cmd[0]).toUpperCase()) || !(text.startsWith('*') || text.startsWith('~'))) return text;
  const [head, ...rest] = text.split('\r\n');
  const items: string[] = [];
  for (let i = 0; i + 1 < rest.length; i += 2) items.push(rest[i] + '\r\n' + rest[i + 1]);
  return [head, ...items.sort()].join('\r\n');
}

/** Registers one test per script; each script runs on a fresh connection after FLUSHALL. */
export function compatSuite(name: string, scripts: Record<string, Script>, serverArgs: string[] = []): void {
  if (!hasRedis()) {
    test(
      `${name}: compared with redis-server`,
      { skip: 'redis-server 7.0.15 not installed (apt-get install redis-server)' },
      () => {},
    );
    return;
  }
  let ours: Proc;
  let ref: Proc;
  before(async () => {
    [ours, ref] = await Promise.all([startRedoubt(serverArgs), startRedis(serverArgs)]);
  });
  after(async () => {
    await Promise.all([ours?.stop(), ref?.stop()]);
  });
  for (const [title, script] of Object.entries(scripts)) {
    test(`${name}: ${title}`, async () => {
      const [a, b] = await Promise.all([RawClient.connect(ours.port), RawClient.connect(ref.port)]);
      try {
        await a.call('FLUSHALL');
        await b.call('FLUSHALL');
        for (const cmd of script) {
          const [ra, rb] = await Promise.all([a.call(...cmd), b.call(...cmd)]);
          assert.equal(normalize(cmd, ra), normalize(cmd, rb), `reply to ${JSON.stringify(cmd.map(String))} differs`);
        }
      } finally {
        a.close();
        b.close();
      }
    });
  }
}
