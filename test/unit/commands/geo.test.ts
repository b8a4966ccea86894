import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from '../../../src/server/server.js';
import { processCommand } from '../../../src/commands/dispatch.js';

function setup(): (...argv: string[]) => string {
  const server = new Server();
  const c = server.newClient('127.0.0.1:50000', '127.0.0.1:6379', -1);
  return (...argv: string[]): string => {
    processCommand(c, argv);
    return Buffer.concat(c.reply.take()).toString('latin1');
  };
}

const bulk = (s: string): string => `$${s.length}\r\n${s}\r\n`;

function sicily(): (...argv: string[]) => string {
  const run = setup();
  assert.equal(
    run('GEOADD', 'Sicily', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'),
    ':2\r\n',
  );
  return run;
}

test('GEOADD stores geohash scores in a sorted set, with NX/XX/CH', () => {
  const run = sicily();
  assert.equal(run('ZSCORE', 'Sicily', 'Palermo'), bulk('3479099956230698'));
  assert.equal(run('TYPE', 'Sicily'), '+zset\r\n');
  assert.equal(run('GEOADD', 'Sicily', 'NX', 'CH', '13.361389', '38.115556', 'Palermo', '2', '3', 'x'), ':1\r\n');
  assert.equal(run('GEOADD', 'Sicily', 'XX', 'NX', '1', '2', 'y'), '-ERR syntax error\r\n');
  assert.equal(
    run('GEOADD', 'Sicily', '200', '2', 'y'),
    '-ERR invalid longitude,latitude pair 200.000000,2.000000\r\n',
  );
  assert.equal(run('GEOADD', 'Sicily', '1', 'abc', 'y'), '-ERR value is not a valid float\r\n');
});

test('GEOPOS GEOHASH GEODIST', () => {
  const run = sicily();
  assert.equal(
    run('GEOPOS', 'Sicily', 'Palermo', 'nope'),
    '*2\r\n*2\r\n' + bulk('13.36138933897018433') + bulk('38.11555639549629859') + '*-1\r\n',
  );
  assert.equal(run('GEOHASH', 'Sicily', 'Palermo', 'nope'), '*2\r\n' + bulk('sqc8b49rny0') + '$-1\r\n');
  assert.equal(run('GEODIST', 'Sicily', 'Palermo', 'Catania'), bulk('166274.1516'));
  assert.equal(run('GEODIST', 'Sicily', 'Palermo', 'Catania', 'km'), bulk('166.2742'));
  assert.equal(run('GEODIST', 'Sicily', 'Palermo', 'nope'), '$-1\r\n');
  assert.equal(
    run('GEODIST', 'Sicily', 'Palermo', 'Catania', 'parsec'),
    '-ERR unsupported unit provided. please use M, KM, FT, MI\r\n',
  );
});

test('GEORADIUS and GEOSEARCH: sorting, options, errors', () => {
  const run = sicily();
  assert.equal(
    run('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'ASC'),
    '*2\r\n' + bulk('Catania') + bulk('Palermo'),
  );
  assert.equal(run('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'DESC', 'COUNT', '1'), '*1\r\n' + bulk('Palermo'));
  assert.equal(
    run('GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '100', 'km', 'WITHDIST', 'WITHHASH'),
    '*1\r\n*3\r\n' + bulk('Palermo') + bulk('0.0000') + ':3479099956230698\r\n',
  );
  assert.equal(
    run('GEOSEARCH', 'Sicily', 'BYRADIUS', '10', 'km', 'ASC', 'WITHDIST'),
    '-ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH\r\n',
  );
  assert.equal(run('GEORADIUS', 'Sicily', '15', '37', '100', 'km', 'COUNT', '0'), '-ERR COUNT must be > 0\r\n');
  assert.equal(
    run('GEORADIUS', 'Sicily', '15', '37', '100', 'km', 'ANY'),
    '-ERR the ANY argument requires COUNT argument\r\n',
  );
  assert.equal(
    run('GEORADIUSBYMEMBER', 'Sicily', 'nope', '1', 'km'),
    '-ERR could not decode requested zset member\r\n',
  );
  assert.equal(run('GEOSEARCH', 'nokey', 'FROMMEMBER', 'x', 'BYRADIUS', '1', 'km'), '*0\r\n');
});

test('STORE and STOREDIST write a sorted set; an empty result deletes it', () => {
  const run = sicily();
  assert.equal(run('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STORE', 'dst'), ':2\r\n');
  assert.equal(run('ZSCORE', 'dst', 'Palermo'), bulk('3479099956230698'));
  assert.equal(
    run('GEOSEARCHSTORE', 'd2', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '400', '400', 'km', 'STOREDIST'),
    ':2\r\n',
  );
  assert.match(run('ZSCORE', 'd2', 'Catania'), /^\$\d+\r\n56\.44/);
  assert.equal(run('GEORADIUS', 'Sicily', '15', '37', '1', 'm', 'STORE', 'dst'), ':0\r\n');
  assert.equal(run('EXISTS', 'dst'), ':0\r\n');
  assert.equal(
    run('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STORE', 'dst', 'WITHDIST'),
    '-ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options\r\n',
  );
  assert.equal(run('GEORADIUS_RO', 'Sicily', '15', '37', '200', 'km', 'STORE', 'dst'), '-ERR syntax error\r\n');
});
