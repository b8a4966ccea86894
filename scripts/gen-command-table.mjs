// Generates src/commands/table.generated.ts from a real redis-server 7.0.15: COMMAND INFO for
// arity, flags, keys, categories, tips and key specs; COMMAND DOCS for since/group/arguments.
// Only facts about the protocol are kept (no summaries, complexity or history prose).
//   node scripts/gen-command-table.mjs [path-to-redis-server]
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REDIS = process.argv[2] ?? '/usr/bin/redis-server';

// Categories Redis adds from flags (setImplicitACLCategories); stored tables keep only the rest.
function implied(flags, explicit) {
  const out = new Set();
  if (flags.includes('write')) out.add('write');
  if (flags.includes('readonly') && !explicit.includes('scripting')) out.add('read');
  if (flags.includes('admin')) { out.add('admin'); out.add('dangerous'); }
  if (flags.includes('pubsub')) out.add('pubsub');
  if (flags.includes('fast')) out.add('fast');
  if (flags.includes('blocking')) out.add('blocking');
  if (!flags.includes('fast') && !explicit.includes('fast')) out.add('slow');
  return out;
}

function parseResp(buf, pos) {
  const nl = buf.indexOf('\r\n', pos);
  if (nl < 0) return null;
  const t = String.fromCharCode(buf[pos]);
  const line = buf.toString('latin1', pos + 1, nl);
  let p = nl + 2;
  if (t === '+' ) return [line, p];
  if (t === '-') return [new Error(line), p];
  if (t === ':') return [Number(line), p];
  if (t === '$') {
    const n = Number(line);
    if (n < 0) return [null, p];
    if (buf.length < p + n + 2) return null;
    return [buf.toString('latin1', p, p + n), p + n + 2];
  }
  if (t === '*') {
    const n = Number(line);
    if (n < 0) return [null, p];
    const arr = [];
    for (let i = 0; i < n; i++) {
      const r = parseResp(buf, p);
      if (r === null) return null;
      arr.push(r[0]);
      p = r[1];
    }
    return [arr, p];
  }
  throw new Error('unexpected RESP type ' + t);
}

function call(port, args) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const r = parseResp(buf, 0);
      if (r !== null) { s.destroy(); resolve(r[0]); }
    });
    s.on('error', reject);
    s.write(`*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(''));
  });
}

const pairs = (arr) => { const o = {}; for (let i = 0; i < arr.length; i += 2) o[arr[i]] = arr[i + 1]; return o; };

function keySpec(raw) {
  const o = pairs(raw);
  const bs = pairs(o.begin_search);
  const bsSpec = pairs(bs.spec ?? []);
  const fs = pairs(o.find_keys);
  const fsSpec = pairs(fs.spec ?? []);
  return {
    flags: o.flags,
    bs: bs.type === 'index' ? { type: 'index', index: bsSpec.index }
      : bs.type === 'keyword' ? { type: 'keyword', keyword: bsSpec.keyword, startfrom: bsSpec.startfrom }
      : { type: 'unknown' },
    fs: fs.type === 'range' ? { type: 'range', lastkey: fsSpec.lastkey, keystep: fsSpec.keystep, limit: fsSpec.limit }
      : fs.type === 'keynum' ? { type: 'keynum', keynumidx: fsSpec.keynumidx, firstkey: fsSpec.firstkey, keystep: fsSpec.keystep }
      : { type: 'unknown' },
  };
}

function argSpec(raw) {
  const o = pairs(raw);
  const a = { name: o.name, type: o.type };
  for (const k of ['display_text', 'key_spec_index', 'token', 'since', 'deprecated_since', 'value']) if (o[k] !== undefined) a[k] = o[k];
  if (o.flags !== undefined) a.flags = o.flags;
  if (o.arguments !== undefined) a.arguments = o.arguments.map(argSpec);
  return a;
}

function docsOf(raw) {
  const o = pairs(raw ?? []);
  const d = { since: o.since ?? '', group: o.group ?? '' };
  for (const k of ['deprecated_since', 'replaced_by']) if (o[k] !== undefined) d[k] = o[k];
  if (o.doc_flags !== undefined && o.doc_flags.length) d.doc_flags = o.doc_flags;
  if (o.arguments !== undefined) d.arguments = o.arguments.map(argSpec);
  return d;
}

function spec(info, docs) {
  const [full, arity, flags, firstKey, lastKey, step, cats, tips, keySpecs, subs] = info;
  const name = full.includes('|') ? full.split('|')[1] : full;
  const explicit = cats.map((c) => c.replace(/^@/, ''));
  const imp = implied(flags, explicit);
  const s = {
    name, arity, flags, firstKey, lastKey, step,
    categories: explicit.filter((c) => !imp.has(c)),
    tips, keySpecs: keySpecs.map(keySpec),
  };
  const d = pairs(docs ?? []);
  if (subs.length > 0) {
    const subDocs = pairs(d.subcommands ?? []);
    s.subcommands = subs.map((x) => spec(x, subDocs[x[0]])).sort((a, b) => a.name.localeCompare(b.name));
  }
  s.docs = docsOf(docs);
  return s;
}

const port = 20000 + Math.floor(Math.random() * 20000);
const child = spawn(REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (d) => { out += d; if (out.includes('Ready to accept')) resolve(); });
  child.once('exit', (c) => reject(new Error('redis-server exited ' + c + out)));
});
try {
  const infos = await call(port, ['COMMAND', 'INFO']);
  const docs = pairs(await call(port, ['COMMAND', 'DOCS']));
  const table = infos.map((i) => spec(i, docs[i[0]])).sort((a, b) => a.name.localeCompare(b.name));
  const body = table.map((s) => '  ' + JSON.stringify(s) + ',').join('\n');
  writeFileSync(
    path.join(root, 'src/commands/table.generated.ts'),
    `// Generated by scripts/gen-command-table.mjs from redis-server 7.0.15 COMMAND INFO / COMMAND DOCS. Do not edit.\n` +
      `import type { CommandSpec } from './spec.js';\n\nexport const COMMAND_TABLE: readonly CommandSpec[] = [\n${body}\n];\n`,
  );
  console.log(`wrote ${table.length} commands, ${table.reduce((n, s) => n + (s.subcommands?.length ?? 0), 0)} subcommands`);
} finally {
  child.kill('SIGTERM');
}
