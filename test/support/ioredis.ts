// ioredis helpers shared by the e2e suites: a connected client, and waiting for blocked clients.

import assert from 'node:assert/strict';
import { Redis } from 'ioredis';

export async function connectIoredis(port: number): Promise<Redis> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
  await r.connect();
  return r;
}

/** Polls INFO until the server reports `n` blocked clients (a condition, not a fixed sleep). */
export async function waitBlocked(r: Redis, n: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const info = await r.info('clients');
    if (new RegExp(`blocked_clients:${n}\\r?\\n`).test(info)) return;
    await new Promise((res) => setImmediate(res));
  }
  assert.fail(`never saw blocked_clients:${n}`);
}
