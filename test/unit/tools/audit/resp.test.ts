import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RespError, encodeCommand, parseReply } from '../../../../src/tools/audit/resp.js';
import { parseAclLog, parseInfo } from '../../../../src/tools/audit/live-source.js';
import { parseArgs, parseUrl } from '../../../../src/tools/audit/cli.js';

test('RESP2 replies decode, partial input waits for more', () => {
  const buf = Buffer.from('*3\r\n$3\r\nabc\r\n:5\r\n-ERR no\r\n');
  const r = parseReply(buf, 0)!;
  assert.deepEqual((r.value as unknown[]).slice(0, 2), ['abc', 5]);
  assert.ok((r.value as unknown[])[2] instanceof RespError);
  assert.equal(parseReply(Buffer.from('$5\r\nab'), 0), null);
  assert.equal(encodeCommand(['GET', 'k']).toString(), '*2\r\n$3\r\nGET\r\n$1\r\nk\r\n');
});

test('INFO and ACL LOG parsing', () => {
  const info = parseInfo('# Server\r\nredis_version:7.0.15\r\nprocess_id:42\r\n');
  assert.equal(info.get('process_id'), '42');
  const log = parseAclLog([
    ['count', 2, 'reason', 'auth', 'username', 'x', 'age-seconds', '1.5', 'client-info', 'id=1'],
  ]);
  assert.deepEqual(log, [{ count: 2, reason: 'auth', username: 'x', ageSeconds: 1.5, clientInfo: 'id=1' }]);
});

test('URL and option parsing', () => {
  assert.deepEqual(parseUrl('rediss://u:p%40ss@127.0.0.1:25001'), {
    tls: true,
    host: '127.0.0.1',
    port: 25001,
    user: 'u',
    pass: 'p@ss',
  });
  assert.equal(parseArgs(['--url', 'redis://h:1', '--fail-on', 'low']).failOn, 'low');
  assert.throws(() => parseArgs(['--url', 'redis://h:1', '--fail-on', 'bad']));
  assert.throws(() => parseArgs([]));
});
