// The AOF manifest on its own: format, parse round trip, sequence bookkeeping across rewrites,
// and every refusal Redis makes with its exact reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AofManifest, ManifestError } from '../../../src/persist/aof-manifest.js';

test('a new base and incr files are named and sequenced like Redis', () => {
  const m = new AofManifest();
  assert.equal(m.isEmpty, true);
  assert.equal(m.newBase('appendonly.aof', true), 'appendonly.aof.1.base.rdb');
  assert.equal(m.lastIncr('appendonly.aof'), 'appendonly.aof.1.incr.aof');
  assert.equal(m.lastIncr('appendonly.aof'), 'appendonly.aof.1.incr.aof');
  // A rewrite: new incr first, then the new base; the old ones become history, newest first.
  m.newIncr('appendonly.aof');
  m.newBase('appendonly.aof', false);
  m.incrToHistory(true);
  assert.equal(
    m.format(),
    [
      'file appendonly.aof.2.base.aof seq 2 type b',
      'file appendonly.aof.1.incr.aof seq 1 type h',
      'file appendonly.aof.1.base.rdb seq 1 type h',
      'file appendonly.aof.2.incr.aof seq 2 type i',
      '',
    ].join('\n'),
  );
  const back = AofManifest.parse(m.format());
  assert.equal(back.format(), m.format());
  assert.equal(back.baseSeq, 2);
  assert.equal(back.incrSeq, 2);
  // With appending off, a rewrite keeps no incremental file at all.
  back.newBase('appendonly.aof', true);
  back.incrToHistory(false);
  assert.deepEqual(back.incr, []);
  assert.equal(back.history.length, 4);
});

test('names with spaces are quoted and read back', () => {
  const m = new AofManifest();
  m.newBase('my aof', true);
  assert.equal(m.format(), 'file "my aof.1.base.rdb" seq 1 type b\n');
  assert.equal(AofManifest.parse(m.format()).base?.name, 'my aof.1.base.rdb');
});

test('comments and unknown keys are skipped', () => {
  const m = AofManifest.parse('# made by hand\nfile a.1.incr.aof seq 1 type i future x\n');
  assert.equal(m.incr[0]?.name, 'a.1.incr.aof');
});

const refusals: [string, string, number][] = [
  ['', 'Found an empty AOF manifest', 0],
  ['file a seq 1 type b\n\n', 'Invalid AOF manifest file format', 2],
  ['file a seq 1 type b\nfile b seq 2 type b\n', 'Found duplicate base file information', 2],
  ['file a seq 2 type i\nfile b seq 1 type i\n', 'Found a non-monotonic sequence number', 2],
  ['file a seq 1 type x\n', 'Unknown AOF file type', 1],
  ['file a seq 1\n', 'Invalid AOF manifest file format', 1],
  ['file a seq 1 type\n', 'Invalid AOF manifest file format', 1],
  ['file a sequence 1 type b\n', 'Invalid AOF manifest file format', 1],
  ['file dir/a seq 1 type b\n', "File can't be a path, just a filename", 1],
  ['file a seq 1 type b', 'The AOF manifest file contains too long line', 1],
  [`file ${'a'.repeat(1100)} seq 1 type b\n`, 'The AOF manifest file contains too long line', 1],
];

for (const [text, reason, line] of refusals) {
  test(`refused: ${reason} (${JSON.stringify(text.slice(0, 30))})`, () => {
    assert.throws(
      () => AofManifest.parse(text),
      (e: unknown) => e instanceof ManifestError && e.message === reason && e.lineNo === line,
    );
  });
}
