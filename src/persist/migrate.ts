// The main-thread side of MIGRATE's connection worker (migrate-worker.ts): posts a request and
// blocks until the worker has the target's replies, as Redis's synchronous MIGRATE does.

import { Worker } from 'node:worker_threads';
import type { MigrateRequest, MigrateResult } from './migrate-worker.js';

export type { MigrateRequest, MigrateResult };

const RESULT_BYTES = 1 << 16;
let worker: Worker | null = null;
let state: Int32Array | null = null;
let out: Uint8Array | null = null;

function ensureWorker(): { w: Worker; st: Int32Array; buf: Uint8Array } {
  if (worker === null || state === null || out === null) {
    const sab = new SharedArrayBuffer(16);
    const outSab = new SharedArrayBuffer(RESULT_BYTES);
    state = new Int32Array(sab);
    out = new Uint8Array(outSab);
    worker = new Worker(new URL('./migrate-worker.js', import.meta.url), { workerData: { state: sab, out: outSab } });
    worker.unref();
    worker.on('error', () => {
      worker = null;
    });
  }
  return { w: worker, st: state, buf: out };
}

/** Sends the request and waits (blocking the thread) for the result. */
export function migrateSync(req: MigrateRequest): MigrateResult {
  const { w, st, buf } = ensureWorker();
  Atomics.store(st, 0, 0);
  w.postMessage(req);
  // The worker bounds each step by the timeout; this cap only guards against a lost worker.
  const cap = (req.restores.length + 3) * req.timeoutMs + 5000;
  if (Atomics.wait(st, 0, 0, cap) === 'timed-out') {
    return { ioerr: 'reading', auth: null, select: null, restores: [] };
  }
  const n = Atomics.load(st, 2);
  return JSON.parse(Buffer.from(buf.subarray(0, n)).toString('latin1')) as MigrateResult;
}

/** Connections currently cached (INFO migrate_cached_sockets). */
export function migrateCachedSockets(): number {
  return state === null ? 0 : Atomics.load(state, 1);
}
