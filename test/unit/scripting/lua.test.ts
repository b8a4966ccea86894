// The Lua layer without a server: number semantics close to Lua 5.1, the sandbox (read-only
// globals and libraries, no file access), cjson and bit, and the Lua <-> reply conversions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lua, lauxlib, toLua, getStr } from '../../../src/scripting/lua.js';
import { newSandbox, ERROR_HANDLER_KEY } from '../../../src/scripting/sandbox.js';
import { openCjson } from '../../../src/scripting/cjson.js';
import { openBit } from '../../../src/scripting/bit.js';
import {
  pushCommandReply,
  writeLuaValue,
  readErrorTable,
  lua51Message,
  argString,
} from '../../../src/scripting/convert.js';
import { ReplyWriter } from '../../../src/protocol/reply.js';

const L = newSandbox({ cjson: openCjson, bit: openBit });

/** Runs code; returns [ok, value as string (or the error message)]. */
function run(code: string): [boolean, string | null] {
  lua.lua_settop(L, 0);
  lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, toLua(ERROR_HANDLER_KEY));
  const b = toLua(code);
  assert.equal(lauxlib.luaL_loadbufferx(L, b, b.length, toLua('@user_script'), toLua('t')), lua.LUA_OK);
  const status = lua.lua_pcall(L, 0, 1, 1);
  if (status !== lua.LUA_OK) return [false, readErrorTable(L).msg];
  return [true, lua.lua_type(L, -1) === lua.LUA_TNIL ? null : getStr(L, -1)];
}

function reply(code: string, resp: 2 | 3 = 2, scriptResp: 2 | 3 = 2): string {
  lua.lua_settop(L, 0);
  const b = toLua(code);
  assert.equal(lauxlib.luaL_loadbufferx(L, b, b.length, toLua('@user_script'), toLua('t')), lua.LUA_OK);
  assert.equal(lua.lua_pcall(L, 0, 1, 0), lua.LUA_OK);
  const w = new ReplyWriter();
  w.resp = resp;
  writeLuaValue(L, { out: w, scriptResp, countError: () => {} });
  return Buffer.concat(w.take()).toString('latin1');
}

test('numbers behave like Lua 5.1 doubles and print with %.14g', () => {
  assert.deepEqual(run('return tostring(3600 * 1000000)'), [true, '3600000000']);
  assert.deepEqual(run('return tostring(10 / 2)'), [true, '5']);
  assert.deepEqual(run('return tostring(10 / 3)'), [true, '3.3333333333333']);
  assert.deepEqual(run('return tostring(2^53)'), [true, '9.007199254741e+15']);
  assert.deepEqual(run("return '1700000000' * 1000 .. ''"), [true, '1700000000000']);
  assert.deepEqual(run('return tostring(1/0)'), [true, 'inf']);
});

test('globals are read-only and unknown globals are errors', () => {
  assert.deepEqual(run('a = 1'), [false, 'ERR user_script:1: Attempt to modify a readonly table']);
  assert.deepEqual(run('return b'), [
    false,
    "ERR user_script:1: Script attempted to access nonexistent global variable 'b'",
  ]);
  assert.deepEqual(run('string.len = 1'), [false, 'ERR user_script:1: Attempt to modify a readonly table']);
  assert.deepEqual(run('setmetatable(_G, {})'), [false, 'ERR Attempt to modify a readonly table']);
  assert.deepEqual(run("rawset(cjson, 'x', 1)"), [false, 'ERR Attempt to modify a readonly table']);
  assert.deepEqual(run('local g = getmetatable(_G); g.__index = {}'), [
    false,
    'ERR user_script:1: Attempt to modify a readonly table',
  ]);
  // Local tables stay writable.
  assert.deepEqual(run('local t = {} t.x = 1 rawset(t, "y", 2) return t.x + t.y'), [true, '3']);
});

test('no file or OS access; binary chunks refused', () => {
  for (const name of ['io', 'os', 'require', 'loadfile', 'dofile', 'print', 'package']) {
    const [ok, msg] = run(`return ${name}`);
    assert.equal(ok, false, name);
    assert.match(msg!, /nonexistent global variable/);
  }
  assert.deepEqual(run('return loadstring(string.dump(function() return 1 end))'), [true, null]);
  assert.deepEqual(run("return loadstring('return 7')()"), [true, '7']);
  assert.deepEqual(run('return debug.sethook'), [true, null]);
});

test('Lua 5.1 names 5.3 dropped are there', () => {
  assert.deepEqual(run('return unpack({1, 2})'), [true, '1']);
  assert.deepEqual(run('return table.getn({1, 2, 3})'), [true, '3']);
  assert.deepEqual(run('return math.pow(2, 10)'), [true, '1024']);
});

test('cjson: encode, decode, errors', () => {
  assert.deepEqual(run("return cjson.encode({'a/b', 1.5, 1e20, {}, cjson.null, true})"), [
    true,
    '["a\\/b",1.5,1e+20,{},null,true]',
  ]);
  assert.deepEqual(run('return cjson.encode({[1]=1,[3]=3})'), [true, '[1,null,3]']);
  assert.deepEqual(run('return cjson.encode({[1]=1,[20]=3})'), [
    false,
    'ERR user_script:1: Cannot serialise table: excessively sparse array',
  ]);
  assert.deepEqual(run('return cjson.decode(\'{"a":[1,2,{"b":null}]}\').a[3].b == cjson.null'), [true, null]);
  assert.deepEqual(run('return tostring(cjson.decode(\'{"a":[1,2,{"b":null}]}\').a[3].b == cjson.null)'), [
    true,
    'true',
  ]);
  assert.deepEqual(run("return cjson.decode('[1,')"), [
    false,
    'ERR user_script:1: Expected value but found T_END at character 4',
  ]);
  assert.deepEqual(run('return cjson.decode(\'"\\\\u00e9"\')'), [true, '\u00c3\u00a9']);
});

test('bit library: 32-bit signed results', () => {
  assert.deepEqual(run('return bit.band(7, 3) .. bit.bor(1, 2, 4) .. bit.tohex(255)'), [true, '37000000ff']);
  assert.deepEqual(run('return tostring(bit.lshift(1, 31))'), [true, '-2147483648']);
  assert.deepEqual(run('return tostring(bit.tobit(2^32 + 5))'), [true, '5']);
});

test('Lua values to replies (RESP2 and RESP3)', () => {
  assert.equal(reply("return {1, 'a', {2}, nil, 5}"), '*3\r\n:1\r\n$1\r\na\r\n*1\r\n:2\r\n');
  assert.equal(reply('return 3.99'), ':3\r\n');
  assert.equal(reply('return 1e30'), ':-9223372036854775808\r\n');
  assert.equal(reply('return true'), ':1\r\n');
  assert.equal(reply('return false'), '$-1\r\n');
  assert.equal(reply('return false', 3), '_\r\n');
  assert.equal(reply('return false', 3, 3), '#f\r\n');
  assert.equal(reply("return {ok='fine'}"), '+fine\r\n');
  assert.equal(reply("return {err='MY bad'}"), '-MY bad\r\n');
  assert.equal(reply('return {double=3.5}'), '$3\r\n3.5\r\n');
  assert.equal(reply('return {double=3.5}', 3), ',3.5\r\n');
  assert.equal(reply('return {map={a=1}}', 3), '%1\r\n$1\r\na\r\n:1\r\n');
  assert.equal(reply('return {map={a=1}}', 2), '*2\r\n$1\r\na\r\n:1\r\n');
  assert.equal(reply('return {set={a=true}}', 3), '~1\r\n$1\r\na\r\n');
  assert.equal(reply("return {big_number='123'}", 3), '(123\r\n');
  assert.equal(reply('local a = {} a[1] = a return a').endsWith('-ERR reached lua stack limit\r\n'), true);
});

test('replies to Lua values', () => {
  const cases: [string, string][] = [
    [':5\r\n', 'number 5'],
    ['$-1\r\n', 'boolean false'],
    ['*-1\r\n', 'boolean false'],
    ['_\r\n', 'nil nil'],
    ['+OK\r\n', 'table ok=OK'],
    ['-ERR bad\r\n', 'table err=ERR bad,ignore_error_stats_update=null'],
    ['*2\r\n$1\r\na\r\n:2\r\n', 'table 1=a,2=2'],
    [',1.5\r\n', 'table double=1.5'],
    ['#t\r\n', 'boolean true'],
    ['%1\r\n$1\r\nk\r\n$1\r\nv\r\n', 'table map=table'],
    ['|1\r\n$1\r\nx\r\n$1\r\ny\r\n:7\r\n', 'number 7'],
  ];
  for (const [resp, want] of cases) {
    lua.lua_settop(L, 0);
    pushCommandReply(L, Buffer.from(resp, 'latin1'));
    const type = lua.lua_type(L, -1);
    let got: string;
    if (type === lua.LUA_TTABLE) {
      const parts: string[] = [];
      lua.lua_pushnil(L);
      while (lua.lua_next(L, 1) !== 0) {
        const v = lua.lua_type(L, -1) === lua.LUA_TTABLE ? 'table' : getStr(L, -1);
        lua.lua_pushvalue(L, -2); // a copy: converting the key itself would confuse next()
        parts.push(`${getStr(L, -1)}=${v}`);
        lua.lua_pop(L, 1);
        lua.lua_pop(L, 1);
      }
      got = 'table ' + parts.sort().join(',');
    } else if (type === lua.LUA_TBOOLEAN) got = `boolean ${lua.lua_toboolean(L, -1)}`;
    else if (type === lua.LUA_TNIL) got = 'nil nil';
    else got = `number ${getStr(L, -1)}`;
    assert.equal(got, want, resp);
  }
});

test('command arguments: numbers in %.17g, other types refused', () => {
  lua.lua_settop(L, 0);
  lua.lua_pushnumber(L, 0.1);
  lua.lua_pushboolean(L, true);
  lua.lua_pushstring(L, toLua('x\u00ff'));
  assert.equal(argString(L, 1), '0.10000000000000001');
  assert.equal(argString(L, 2), null);
  assert.equal(argString(L, 3), 'x\u00ff');
});

test('Lua 5.3 type errors are reworded as 5.1 words them', () => {
  assert.equal(
    lua51Message("user_script:1: attempt to call a nil value (global 'foo')"),
    "user_script:1: attempt to call global 'foo' (a nil value)",
  );
  assert.equal(lua51Message("attempt to index a nil value (field 'x')"), "attempt to index field 'x' (a nil value)");
});

test('Lua 5.1 behaviours on top of 5.3: wide %d, error() with a number', () => {
  assert.deepEqual(run("return string.format('%d %x %05d', 2^40, -1, 1700000000000)"), [
    true,
    '1099511627776 ffffffffffffffff 1700000000000',
  ]);
  assert.deepEqual(run("return string.format('%d', 1.5)"), [true, '1']);
  assert.deepEqual(run('error(123)'), [false, 'ERR user_script:1: 123']);
  assert.deepEqual(run("error('x', 0)"), [false, 'ERR x']);
});
