// Protocol-level behaviour compared byte for byte with redis-server: errors, inline commands,
// unknown commands, arity, RESP3 HELLO shapes.
import { compatSuite } from './compat.js';

compatSuite('protocol', {
  'ping and echo': [['PING'], ['PING', 'hi'], ['ECHO', 'x\r\ny'], ['ECHO']],
  'unknown command and arity': [
    ['NOSUCHCMD', 'a', 'b'],
    ['GET'],
    ['SET', 'k'],
    ['get', 'k', 'x'],
    ['CONFIG', 'NOSUCH'],
  ],
  select: [
    ['SELECT', '1'],
    ['SELECT', '16'],
    ['SELECT', 'x'],
    ['SELECT', '4294967296'],
    ['SELECT', '-1'],
    ['SELECT', '0'],
  ],
  hello: [
    ['HELLO', '4'],
    ['HELLO', 'x'],
    ['HELLO', '2', 'SETNAME', 'a b'],
  ],
  'auth without password': [
    ['AUTH', 'x'],
    ['AUTH', 'default', 'x'],
    ['AUTH', 'a', 'b', 'c'],
  ],
});

compatSuite(
  'requirepass',
  {
    'noauth and auth': [
      ['GET', 'k'],
      ['AUTH', 'wrong'],
      ['AUTH', 'secret'],
      ['SET', 'k', 'v'],
      ['GET', 'k'],
    ],
    'hello auth': [
      ['HELLO', '3'],
      ['HELLO', '2', 'AUTH', 'default', 'nope'],
      ['HELLO', '3', 'AUTH', 'default', 'secret'],
      ['PING'],
    ],
  },
  ['--requirepass', 'secret'],
);
