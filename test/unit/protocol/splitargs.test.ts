import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitArgs } from '../../../src/protocol/splitargs.js';

test('splitArgs follows sdssplitargs', () => {
  assert.deepEqual(splitArgs('  a  b c '), ['a', 'b', 'c']);
  assert.deepEqual(splitArgs('"a b" \'c d\''), ['a b', 'c d']);
  assert.deepEqual(splitArgs('"\\x41\\x4a\\t\\n\\r\\b\\a\\\\\\""'), ['AJ\t\n\r\b\x07\\"']);
  assert.deepEqual(splitArgs("'it\\'s'"), ["it's"]);
  assert.deepEqual(splitArgs('""'), ['']);
  assert.deepEqual(splitArgs(''), []);
  assert.equal(splitArgs('"abc'), null);
  assert.equal(splitArgs("'abc"), null);
  assert.equal(splitArgs('"a"b'), null);
  assert.deepEqual(splitArgs('"\\xZZ"'), ['xZZ']);
});
