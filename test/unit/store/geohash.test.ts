// Geohash arithmetic; expected values were read from redis-server 7.0.15.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeScore,
  deinterleave,
  distance,
  estimateStepsByRadius,
  formatCoord,
  formatDistance,
  formatF,
  geohashString,
  interleave,
  scoreOf,
  searchCells,
} from '../../../src/store/geohash.js';

test('scores are the 52-bit interleaved hashes GEOADD stores', () => {
  assert.equal(scoreOf(13.361389, 38.115556), 3479099956230698);
  assert.equal(scoreOf(15.087269, 37.502669), 3479447370796909);
  assert.equal(scoreOf(2, 3), 3378964761752270);
});

test('interleave and deinterleave are inverse', () => {
  for (const [x, y] of [
    [0, 0],
    [1, 0],
    [0, 1],
    [0x3ffffff, 0x1234567],
    [0xffffffff, 0x80000001],
  ] as const) {
    assert.deepEqual(deinterleave(interleave(x, y)), [x, y]);
  }
});

test('decoding, geohash strings and distances print like Redis', () => {
  const [lon, lat] = decodeScore(3479099956230698);
  assert.equal(formatCoord(lon), '13.36138933897018433');
  assert.equal(formatCoord(lat), '38.11555639549629859');
  assert.equal(geohashString(3479099956230698), 'sqc8b49rny0');
  assert.equal(geohashString(3479447370796909), 'sqdtr74hyu0');
  const [lon2, lat2] = decodeScore(3479447370796909);
  const d = distance(lon, lat, lon2, lat2);
  assert.equal(formatDistance(d), '166274.1516');
  assert.equal(formatDistance(d / 1000), '166.2742');
  assert.equal(formatDistance(d / 1609.34), '103.3182');
  assert.equal(formatDistance(0), '0.0000');
});

test('number formats: %f and the human long double', () => {
  assert.equal(formatF(200), '200.000000');
  assert.equal(formatF(-0.5), '-0.500000');
  assert.equal(formatCoord(-0), '0');
  assert.equal(formatCoord(1.5), '1.5');
});

test('search cells: step estimate and the centre cell first', () => {
  assert.equal(estimateStepsByRadius(0, 0), 26);
  assert.equal(estimateStepsByRadius(200000, 0), 6);
  assert.equal(estimateStepsByRadius(200000, 70), 5);
  const cells = searchCells({ xy: [15, 37], conversion: 1000, radius: 200, width: 0, height: 0 });
  assert.equal(cells.length, 9);
  assert.ok(cells[0]!.step >= 1 && cells[0]!.step <= 26);
});
