// The README's list of parameters that are accepted but not acted on must be exactly the
// registry's: a parameter is never silently pretended, and the list never goes stale.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../support/server.js';
import { notImplementedConfigs } from '../../../src/config/entries.js';

const START = '<!-- not-implemented-configs:start -->';
const END = '<!-- not-implemented-configs:end -->';

test("README lists exactly the registry's not-implemented configs", () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  assert.ok(a >= 0 && b > a, 'README has the not-implemented-configs markers');
  const listed = [...readme.slice(a + START.length, b).matchAll(/`([a-z0-9_-]+)`/g)].map((m) => m[1]!).sort();
  assert.deepEqual(listed, [...notImplementedConfigs()].sort());
});
