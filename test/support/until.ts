// Waiting for a condition instead of sleeping: tests poll what they expect to become true.

import assert from 'node:assert/strict';

/** Polls until cond() holds (a condition, checked every 20 ms), or fails after ms. */
export async function until(what: string, cond: () => Promise<boolean> | boolean, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}
