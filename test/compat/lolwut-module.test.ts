// LOLWUT and MODULE compared with redis-server: the fixed replies byte for byte; for LOLWUT's
// random drawings, the shape (lines, bytes, characters) and the rows no randomness reaches.
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { compatSuite } from './compat.js';
import { hasRedis, startRedis, startRedoubt, type Proc } from '../support/server.js';
import { RawClient, decodeReply } from '../support/raw-client.js';

compatSuite('module and lolwut', {
  'MODULE LIST and HELP answer; LOAD, LOADEX, UNLOAD are protected': [
    ['MODULE', 'LIST'],
    ['MODULE', 'HELP'],
    ['MODULE', 'LOAD', '/nonexistent/mod.so', 'arg'],
    ['MODULE', 'LOADEX', '/nonexistent/mod.so'],
    ['MODULE', 'UNLOAD', 'mod'],
    ['MODULE'],
    ['MODULE', 'NOPE'],
    ['MODULE', 'LIST', 'extra'],
    ['MODULE', 'UNLOAD'],
  ],
  'LOLWUT prints the version line, with or without a VERSION that has no drawing': [
    ['LOLWUT'],
    ['LOLWUT', 'foo', 'bar'],
    ['LOLWUT', 'VERSION'],
    ['LOLWUT', 'VERSION', '7'],
    ['LOLWUT', 'VERSION', '4'],
    ['LOLWUT', 'VERSION', '-1'],
    ['LOLWUT', 'VERSION', 'abc'],
    ['LOLWUT', 'VERSION', '5', 'wide'],
    ['LOLWUT', 'VERSION', '6', '80', 'tall'],
    ['LOLWUT', 'VERSION', '99999999999999999999'],
    ['HELLO', '3'],
    ['LOLWUT'],
  ],
});

compatSuite(
  'module with enable-module-command yes',
  {
    'no module loads; LOADEX checks its arguments first; none unloads': [
      ['MODULE', 'LOAD', '/nonexistent/mod.so'],
      ['MODULE', 'LOADEX', '/nonexistent/mod.so', 'CONFIG', 'name'],
      ['MODULE', 'LOADEX', '/nonexistent/mod.so', 'bogus'],
      ['MODULE', 'LOADEX', '/nonexistent/mod.so', 'CONFIG', 'a', 'b', 'ARGS', 'x'],
      ['MODULE', 'UNLOAD', 'mod'],
      ['MODULE', 'LIST'],
    ],
  },
  ['--enable-module-command', 'yes'],
);

const skip = hasRedis() ? false : 'redis-server 7.0.15 not installed (apt-get install redis-server)';

describe('LOLWUT drawings compared with redis-server', { skip }, () => {
  let ours: Proc;
  let ref: Proc;
  let a: RawClient;
  let b: RawClient;
  before(async () => {
    [ours, ref] = await Promise.all([startRedoubt(), startRedis()]);
    [a, b] = await Promise.all([RawClient.connect(ours.port), RawClient.connect(ref.port)]);
  });
  after(async () => {
    a?.close();
    b?.close();
    await Promise.all([ours?.stop(), ref?.stop()]);
  });

  /** Both servers' replies to one command, as UTF-8 text. */
  async function both(...cmd: string[]): Promise<[string, string]> {
    const [ra, rb] = await Promise.all([a.call(...cmd), b.call(...cmd)]);
    const text = (r: Buffer): string => Buffer.from(String(decodeReply(r)[0]), 'latin1').toString('utf8');
    return [text(ra), text(rb)];
  }

  // [columns, squares per row, squares per column], and how many text rows the first two
  // rows of squares fill before the randomly turned third row can reach them.
  const schotters: [string[], number][] = [
    [[], 6],
    [['40'], 4],
    [['100', '10', '20'], 6],
    [['20', '4', '6'], 3],
    [['1', '1', '1'], 1],
    [['1000', '200', '2'], 7],
    // Clamped to 1 column, 1 square per row, 200 rows: squares 2 dots wide, so a third-row
    // square that drifts half a dot up already shows in the first text row.
    [['0', '-5', '99999'], 0],
  ];
  for (const [args, fixed] of schotters) {
    test(`VERSION 5 ${args.join(' ') || '(defaults)'}: same size, same unturned rows, same caption`, async () => {
      const [mine, theirs] = await both('LOLWUT', 'VERSION', '5', ...args);
      const lm = mine.split('\n');
      const lt = theirs.split('\n');
      assert.equal(lm.length, lt.length);
      assert.deepEqual(
        lm.map((l) => [...l].length),
        lt.map((l) => [...l].length),
      );
      assert.deepEqual(lm.slice(0, fixed), lt.slice(0, fixed));
      assert.deepEqual(lm.slice(-2), lt.slice(-2));
      for (const l of lm.slice(0, -2)) assert.match(l, /^[\u2800-\u28ff]*$/u);
    });
  }

  for (const args of [[], ['10', '5'], ['1', '1'], ['200', '50'], ['5000', '0']]) {
    test(`VERSION 6 ${args.join(' ') || '(defaults)'}: the same grid of gray cells and caption`, async () => {
      const [mine, theirs] = await both('LOLWUT', 'VERSION', '6', ...args);
      const cells = (s: string): number[] =>
        s
          .split('\n')
          .slice(0, -3)
          .map((l) => {
            assert.match(l, /^(?:\x1b\[0;(?:30;40|90;100|37;47|97;107)m \x1b\[0m)*$/);
            return l.split('\x1b[0m').length - 1;
          });
      assert.deepEqual(cells(mine), cells(theirs));
      assert.deepEqual(mine.split('\n').slice(-3), theirs.split('\n').slice(-3));
    });
  }
});
