// The request parser, fed every case whole, byte by byte and randomly split.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestParser, parseLongBytes } from '../../../src/protocol/parser.js';
import { encodeCommand } from '../../support/raw-client.js';

type Result = { cmds: string[][]; error: string | null };

function run(chunks: Buffer[], setup?: (p: RequestParser) => void): Result {
  const p = new RequestParser();
  setup?.(p);
  const cmds: string[][] = [];
  for (const ch of chunks) {
    p.feed(ch);
    for (let c = p.take(); c !== null; c = p.take()) cmds.push(c);
    if (p.error !== null) break;
  }
  return { cmds, error: p.error };
}

function splits(buf: Buffer): Buffer[][] {
  const whole = [buf];
  const bytes = [...buf].map((b) => Buffer.from([b]));
  const out: Buffer[][] = [whole, bytes];
  let seed = 12345;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let k = 0; k < 20; k++) {
    const parts: Buffer[] = [];
    let i = 0;
    while (i < buf.length) {
      const n = 1 + Math.floor(rnd() * 40);
      parts.push(buf.subarray(i, i + n));
      i += n;
    }
    out.push(parts);
  }
  return out;
}

function everySplit(input: string | Buffer, expect: Result, setup?: (p: RequestParser) => void): void {
  const buf = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  for (const chunks of splits(buf)) assert.deepEqual(run(chunks, setup), expect);
}

test('multibulk commands, pipelined, any chunking', () => {
  everySplit('*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n', {
    cmds: [['PING'], ['SET', 'k', 'hello']],
    error: null,
  });
});

test('binary-safe arguments survive as latin1 strings', () => {
  const val = Buffer.from([0, 1, 13, 10, 255, 128, 42]);
  const req = Buffer.concat([Buffer.from('*2\r\n$4\r\nECHO\r\n$7\r\n'), val, Buffer.from('\r\n')]);
  everySplit(req, { cmds: [['ECHO', val.toString('latin1')]], error: null });
});

test('empty bulk and zero/negative multibulk counts', () => {
  everySplit('*2\r\n$4\r\nECHO\r\n$0\r\n\r\n*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n', {
    cmds: [['ECHO', ''], ['PING']],
    error: null,
  });
});

test('inline commands with quotes and empty lines', () => {
  everySplit("PING\r\n\r\nSET k \"a b\\x41\\n\"\nECHO 'it\\'s'\r\n", {
    cmds: [['PING'], ['SET', 'k', 'a bA\n'], ['ECHO', "it's"]],
    error: null,
  });
});

test('big arguments are assembled across chunks', () => {
  const big = 'x'.repeat(100 * 1024);
  everySplit(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${big.length}\r\n${big}\r\n*1\r\n$4\r\nPING\r\n`, {
    cmds: [['SET', 'k', big], ['PING']],
    error: null,
  });
});

test('protocol errors carry Redis messages', () => {
  const cases: [string, string][] = [
    ['*3000000000\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['*abc\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['*1\r\n$-1\r\n', 'ERR Protocol error: invalid bulk length'],
    ['*1\r\n$abc\r\n', 'ERR Protocol error: invalid bulk length'],
    ['*1\r\nfoo\r\n', "ERR Protocol error: expected '$', got 'f'"],
    ['*1\r\n$2000000000\r\n', 'ERR Protocol error: invalid bulk length'],
    ['SET k "unbalanced\r\n', 'ERR Protocol error: unbalanced quotes in request'],
    // Headers the fast path leaves to the careful one.
    ['*1\r\n$01\r\nx\r\n', 'ERR Protocol error: invalid bulk length'],
    ['*1\r\n$1x\r\nx\r\n', 'ERR Protocol error: invalid bulk length'],
    ['*1\r\n$\r\n', 'ERR Protocol error: invalid bulk length'],
    ['*1\r\n:1\r\n', "ERR Protocol error: expected '$', got ':'"],
  ];
  for (const [input, err] of cases) everySplit(input, { cmds: [], error: err });
});

test('commands before a protocol error still run', () => {
  everySplit('*1\r\n$4\r\nPING\r\n*1\r\nxx\r\n', {
    cmds: [['PING']],
    error: "ERR Protocol error: expected '$', got 'x'",
  });
});

test('oversized lines without a newline are refused', () => {
  const long = Buffer.alloc(70 * 1024, 'a');
  assert.equal(run([long]).error, 'ERR Protocol error: too big inline request');
  const mb = Buffer.concat([Buffer.from('*'), Buffer.alloc(70 * 1024, '1')]);
  assert.equal(run([mb]).error, 'ERR Protocol error: too big mbulk count string');
  const bulkCount = Buffer.concat([Buffer.from('*1\r\n$'), Buffer.alloc(70 * 1024, '1')]);
  assert.equal(run([bulkCount]).error, 'ERR Protocol error: too big bulk count string');
});

test('unauthenticated clients get the tighter limits', () => {
  const auth = (p: RequestParser): void => {
    p.authRequired = true;
  };
  everySplit('*11\r\n', { cmds: [], error: 'ERR Protocol error: unauthenticated multibulk length' }, auth);
  everySplit('*1\r\n$16385\r\n', { cmds: [], error: 'ERR Protocol error: unauthenticated bulk length' }, auth);
  // With the whole argument there too (the fast path must still leave it to the careful one).
  const whole = `*1\r\n$16385\r\n${'a'.repeat(16385)}\r\n`;
  everySplit(whole, { cmds: [], error: 'ERR Protocol error: unauthenticated bulk length' }, auth);
  everySplit('*2\r\n$4\r\nAUTH\r\n$3\r\npwd\r\n', { cmds: [['AUTH', 'pwd']], error: null }, auth);
});

test('proto-max-bulk-len is enforced', () => {
  const small = (p: RequestParser): void => {
    p.maxBulkLen = 10;
  };
  everySplit('*1\r\n$11\r\n', { cmds: [], error: 'ERR Protocol error: invalid bulk length' }, small);
  everySplit('*1\r\n$10\r\n0123456789\r\n', { cmds: [['0123456789']], error: null }, small);
});

test('pending counts unconsumed bytes', () => {
  const p = new RequestParser();
  p.feed(Buffer.from('*2\r\n$3\r\nGET\r\n$5\r\nab'));
  assert.equal(p.take(), null);
  assert.ok(p.pending > 0);
  p.feed(Buffer.from('cde\r\n'));
  assert.deepEqual(p.take(), ['GET', 'abcde']);
  assert.equal(p.pending, 0);
});

test('random garbage never throws', () => {
  let seed = 99;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256;
  const alphabet = Buffer.from('*$\r\n0123456789-abc "\'\\');
  for (let k = 0; k < 500; k++) {
    const len = 1 + (rnd() % 64);
    const b = Buffer.alloc(len);
    for (let i = 0; i < len; i++) b[i] = rnd() % 3 === 0 ? rnd() : alphabet[rnd() % alphabet.length]!;
    const p = new RequestParser();
    p.feed(b);
    for (let i = 0; i < 100 && p.take() !== null; i++);
  }
});

test('parseLongBytes follows string2ll', () => {
  const f = (s: string): number => parseLongBytes(Buffer.from(s), 0, s.length);
  assert.equal(f('0'), 0);
  assert.equal(f('123'), 123);
  assert.equal(f('-5'), -5);
  assert.ok(Number.isNaN(f('')));
  assert.ok(Number.isNaN(f('01')));
  assert.ok(Number.isNaN(f('+1')));
  assert.ok(Number.isNaN(f('-')));
  assert.ok(Number.isNaN(f('-0')));
  assert.ok(Number.isNaN(f('1x')));
});

test('a repeated command name is reused only while its bytes match exactly', () => {
  const want = [
    ['SET', 'k', 'v'],
    ['SET', 'k2', 'v2'],
    ['SEt', 'k', 'v'],
    ['GET', 'k'],
    ['GETX', 'k'],
    ['GE', 'k'],
    ['x'.repeat(40), 'a'],
    ['x'.repeat(40), 'b'],
    ['', 'empty'],
  ];
  const stream = Buffer.concat(want.map((argv) => encodeCommand(argv)));
  for (const chunks of splits(stream)) assert.deepEqual(run(chunks).cmds, want);
});

test('a length header split anywhere, or longer than the short scan, parses the same', () => {
  const value = 'v'.repeat(70000); // past the big-argument threshold: its own buffer
  const long = Buffer.from(`*2\r\n$4\r\nECHO\r\n$${value.length}\r\n${value}\r\n`, 'latin1');
  assert.deepEqual(run([long]).cmds, [['ECHO', value]]);
  // A count with many digits (over the JS scan window) still reaches its CR.
  const padded = Buffer.from(`*1\r\n$${'9'.repeat(30)}\r\n`, 'latin1');
  assert.equal(run([padded]).error, 'ERR Protocol error: invalid bulk length');
});

test('arguments of every short length, with every byte value, come out exactly', () => {
  const args: Buffer[] = [Buffer.from('CMD')];
  for (let n = 0; n <= 40; n++) args.push(Buffer.from(Array.from({ length: n }, (_, i) => (n * 37 + i * 101) & 0xff)));
  const stream = encodeCommand(args);
  const want = [args.map((b) => b.toString('latin1'))];
  for (const chunks of splits(stream)) assert.deepEqual(run(chunks).cmds, want);
});
