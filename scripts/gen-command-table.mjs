// Generates src/commands/table.generated.ts from a throwaway real redis-server 7.0.15:
// COMMAND INFO gives arity, flags, legacy key positions, ACL categories, tips and key specs;
// COMMAND DOCS gives since/group/deprecation/doc flags and the argument structure. Only
// protocol facts are kept: no summaries, complexity, history or key-spec notes.
//
//   node scripts/gen-command-table.mjs [path-to-redis-server]
//
// Plain Node ESM, no dependencies. The output is deterministic (sorted, fixed key order).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'src/commands/table.generated.ts');
const REDIS = process.argv[2] ?? '/usr/bin/redis-server';
const EXPECTED_VERSION = '7.0.15';

// ---------------------------------------------------------------------------------------------
// Implied ACL categories: Redis 7.0 src/server.c setImplicitACLCategories. The same rule lives in
// src/commands/categories.ts (impliedCategories); the table test checks both against the server.

function impliedCategories(flags, explicit) {
  const out = new Set();
  if (flags.includes('write')) out.add('write');
  // Scripting commands are excluded from @read.
  if (flags.includes('readonly') && !explicit.includes('scripting')) out.add('read');
  if (flags.includes('admin')) out.add('admin').add('dangerous');
  if (flags.includes('pubsub')) out.add('pubsub');
  if (flags.includes('fast')) out.add('fast');
  if (flags.includes('blocking')) out.add('blocking');
  // Whatever is not @fast is @slow.
  if (!out.has('fast') && !explicit.includes('fast')) out.add('slow');
  return out;
}

// ---------------------------------------------------------------------------------------------
// A tiny RESP2 connection: one socket, replies matched to calls in order.

/** Parses one RESP2 value at buf[pos]; returns [value, nextPos], or null when incomplete. */
function parseValue(buf, pos) {
  if (pos >= buf.length) return null;
  const nl = buf.indexOf('\r\n', pos);
  if (nl < 0) return null;
  const type = buf[pos];
  const line = buf.toString('latin1', pos + 1, nl);
  const next = nl + 2;
  switch (type) {
    case 0x2b: // '+'
      return [line, next];
    case 0x2d: // '-'
      return [new Error(line), next];
    case 0x3a: // ':'
      return [Number(line), next];
    case 0x24: {
      // '$'
      const n = Number(line);
      if (n < 0) return [null, next];
      if (buf.length < next + n + 2) return null;
      return [buf.toString('latin1', next, next + n), next + n + 2];
    }
    case 0x2a: {
      // '*'
      const n = Number(line);
      if (n < 0) return [null, next];
      const arr = [];
      let p = next;
      for (let i = 0; i < n; i++) {
        const r = parseValue(buf, p);
        if (r === null) return null;
        arr.push(r[0]);
        p = r[1];
      }
      return [arr, p];
    }
    default:
      throw new Error(`unexpected RESP type byte 0x${type.toString(16)} at ${pos}`);
  }
}

class Conn {
  static open(port) {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ port, host: '127.0.0.1' }, () => {
        sock.off('error', reject);
        resolve(new Conn(sock));
      });
      sock.once('error', reject);
    });
  }

  constructor(sock) {
    this.sock = sock;
    this.chunks = [];
    this.size = 0;
    this.waiters = [];
    sock.on('data', (d) => {
      this.chunks.push(d);
      this.size += d.length;
      this.drain();
    });
    const fail = (err) => {
      for (const w of this.waiters.splice(0)) w.reject(err);
    };
    sock.on('error', fail);
    sock.on('close', () => fail(new Error('connection closed')));
  }

  drain() {
    while (this.waiters.length > 0 && this.size > 0) {
      const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
      this.chunks = [buf];
      const r = parseValue(buf, 0);
      if (r === null) return;
      const rest = buf.subarray(r[1]);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.size = rest.length;
      this.waiters.shift().resolve(r[0]);
    }
  }

  call(...args) {
    const parts = [Buffer.from(`*${args.length}\r\n`)];
    for (const a of args) {
      const b = Buffer.from(String(a), 'latin1');
      parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
    }
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.sock.write(Buffer.concat(parts));
    });
  }

  /** Like call, but a RESP error reply rejects. */
  async must(...args) {
    const r = await this.call(...args);
    if (r instanceof Error) throw new Error(`${args.join(' ')}: ${r.message}`);
    return r;
  }

  close() {
    this.sock.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// The throwaway server.

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function startServer() {
  const port = await freePort();
  const args = ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1'];
  const child = spawn(REDIS, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (d) => {
    log = (log + d.toString('latin1')).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const exit = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = signal ?? code;
      resolve();
    });
  });
  child.once('error', (err) => {
    exited = err.message;
  });
  const stop = async () => {
    if (exited === null) {
      process.kill(child.pid, 'SIGTERM');
      await exit;
    }
  };
  const deadline = Date.now() + 15000;
  for (;;) {
    if (exited !== null) throw new Error(`${REDIS} exited (${exited}):\n${log}`);
    try {
      const conn = await Conn.open(port);
      if ((await conn.call('PING')) === 'PONG') return { port, conn, stop };
      conn.close();
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${REDIS} did not answer PING on port ${port}:\n${log}`);
    }
    await sleep(50);
  }
}

// ---------------------------------------------------------------------------------------------
// Reply → table entry.

/** A RESP2 flattened map ([k1, v1, k2, v2, ...]) as a Map. */
function pairs(arr, what) {
  if (!Array.isArray(arr) || arr.length % 2 !== 0) throw new Error(`${what}: not a flat map`);
  const m = new Map();
  for (let i = 0; i < arr.length; i += 2) m.set(arr[i], arr[i + 1]);
  return m;
}

const cmpStr = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const byName = (a, b) => cmpStr(a.name, b.name);

function num(v, what) {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`${what}: expected an integer, got ${v}`);
  return v;
}

function keySpecOf(raw, what) {
  const o = pairs(raw, what);
  const bs = pairs(o.get('begin_search'), `${what} begin_search`);
  const bsSpec = pairs(bs.get('spec'), `${what} begin_search spec`);
  const fk = pairs(o.get('find_keys'), `${what} find_keys`);
  const fkSpec = pairs(fk.get('spec'), `${what} find_keys spec`);
  let bsOut;
  switch (bs.get('type')) {
    case 'index':
      bsOut = { type: 'index', index: num(bsSpec.get('index'), what) };
      break;
    case 'keyword':
      bsOut = { type: 'keyword', keyword: bsSpec.get('keyword'), startfrom: num(bsSpec.get('startfrom'), what) };
      break;
    case 'unknown':
      bsOut = { type: 'unknown' };
      break;
    default:
      throw new Error(`${what}: begin_search type ${bs.get('type')}`);
  }
  let fsOut;
  switch (fk.get('type')) {
    case 'range':
      fsOut = {
        type: 'range',
        lastkey: num(fkSpec.get('lastkey'), what),
        keystep: num(fkSpec.get('keystep'), what),
        limit: num(fkSpec.get('limit'), what),
      };
      break;
    case 'keynum':
      fsOut = {
        type: 'keynum',
        keynumidx: num(fkSpec.get('keynumidx'), what),
        firstkey: num(fkSpec.get('firstkey'), what),
        keystep: num(fkSpec.get('keystep'), what),
      };
      break;
    case 'unknown':
      fsOut = { type: 'unknown' };
      break;
    default:
      throw new Error(`${what}: find_keys type ${fk.get('type')}`);
  }
  // 'notes' is prose and deliberately dropped. Flags are kept exactly as reported.
  return { flags: [...o.get('flags')], bs: bsOut, fs: fsOut };
}

const ARG_FIELDS = ['display_text', 'key_spec_index', 'token', 'since', 'deprecated_since', 'flags', 'value'];

function argOf(raw, what) {
  const o = pairs(raw, what);
  const a = { name: o.get('name'), type: o.get('type') };
  for (const k of ARG_FIELDS) if (o.has(k)) a[k] = k === 'flags' ? [...o.get(k)] : o.get(k);
  if (o.has('arguments')) a.arguments = o.get('arguments').map((x) => argOf(x, `${what} ${a.name}`));
  return a;
}

function docsOf(raw, what) {
  if (raw === undefined || raw === null) throw new Error(`${what}: no COMMAND DOCS entry`);
  const o = pairs(raw, `${what} docs`);
  const d = { since: o.get('since') ?? '', group: o.get('group') };
  for (const k of ['deprecated_since', 'replaced_by']) if (o.has(k)) d[k] = o.get(k);
  if (o.has('doc_flags')) d.doc_flags = [...o.get('doc_flags')];
  if (o.has('arguments')) d.arguments = o.get('arguments').map((x) => argOf(x, what));
  return d;
}

let oddities = 0;

function specOf(info, docsRaw, aclCats) {
  if (!Array.isArray(info) || info.length !== 10) throw new Error(`malformed COMMAND INFO entry ${info?.[0]}`);
  const [full, arity, flags, firstKey, lastKey, step, cats, tips, keySpecs, subs] = info;
  const name = full.includes('|') ? full.slice(full.indexOf('|') + 1) : full;
  if (name !== name.toLowerCase()) throw new Error(`${full}: name is not lower case`);
  const live = cats.map((c) => c.replace(/^@/, ''));
  for (const c of live) if (!aclCats.includes(c)) throw new Error(`${full}: unknown category ${c}`);
  const implied = impliedCategories(flags, live);
  const categories = live.filter((c) => !implied.has(c));
  // Round trip: explicit ∪ implied(explicit) must give back exactly the live set.
  const back = new Set([...categories, ...impliedCategories(flags, categories)]);
  if (back.size !== live.length || !live.every((c) => back.has(c))) {
    console.warn(`warning: ${full}: categories ${live.join(',')} do not split cleanly`);
    oddities++;
  }
  for (const c of implied) {
    if (!live.includes(c)) {
      console.warn(`warning: ${full}: flags imply @${c} but COMMAND INFO does not list it`);
      oddities++;
    }
  }
  const spec = {
    name,
    arity: num(arity, full),
    flags: flags.map((f) => f.toLowerCase()),
    firstKey: num(firstKey, full),
    lastKey: num(lastKey, full),
    step: num(step, full),
    categories,
    tips: [...tips],
    keySpecs: keySpecs.map((k, i) => keySpecOf(k, `${full} key spec ${i}`)),
    docs: docsOf(docsRaw, full),
  };
  if (subs.length > 0) {
    const subDocs = pairs(pairs(docsRaw, `${full} docs`).get('subcommands') ?? [], `${full} subcommand docs`);
    spec.subcommands = subs.map((s) => specOf(s, subDocs.get(s[0]), aclCats)).sort(byName);
    const seen = new Set();
    for (const s of spec.subcommands) {
      if (seen.has(s.name)) throw new Error(`${full}: duplicate subcommand ${s.name}`);
      seen.add(s.name);
    }
  }
  return spec;
}

// One line per command and per subcommand, so diffs between Redis versions stay readable.
function emit(spec, indent) {
  const { subcommands, ...rest } = spec;
  const json = JSON.stringify(rest);
  if (!subcommands) return `${indent}${json},`;
  const inner = subcommands.map((s) => emit(s, indent + '  ')).join('\n');
  return `${indent}${json.slice(0, -1)},"subcommands":[\n${inner}\n${indent}]},`;
}

// ---------------------------------------------------------------------------------------------

const server = await startServer();
try {
  const { conn } = server;
  const info = await conn.must('INFO', 'server');
  const version = /redis_version:([^\r\n]+)/.exec(info)?.[1];
  if (version !== EXPECTED_VERSION) {
    console.warn(`warning: ${REDIS} is ${version}, not ${EXPECTED_VERSION}; the header will be wrong`);
  }
  const aclCats = await conn.must('ACL', 'CAT');
  const infos = await conn.must('COMMAND', 'INFO');
  const docs = pairs(await conn.must('COMMAND', 'DOCS'), 'COMMAND DOCS');
  conn.close();

  const table = infos.map((i) => specOf(i, docs.get(i[0]), aclCats)).sort(byName);
  for (let i = 1; i < table.length; i++) {
    if (table[i - 1].name === table[i].name) throw new Error(`duplicate command ${table[i].name}`);
  }
  const nSubs = table.reduce((n, s) => n + (s.subcommands?.length ?? 0), 0);
  const text =
    `// Generated by scripts/gen-command-table.mjs from redis-server ${EXPECTED_VERSION} COMMAND INFO / COMMAND DOCS. Do not edit.\n` +
    `import type { CommandSpec } from './spec.js';\n\n` +
    `export const COMMAND_TABLE: readonly CommandSpec[] = [\n` +
    table.map((s) => emit(s, '  ')).join('\n') +
    `\n];\n`;
  writeFileSync(OUT, text);
  console.log(
    `wrote ${path.relative(ROOT, OUT)}: ${table.length} commands, ${nSubs} subcommands` +
      (oddities ? `, ${oddities} warning(s)` : ''),
  );
} finally {
  await server.stop();
}
