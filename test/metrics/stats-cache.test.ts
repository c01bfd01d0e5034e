import test from 'ava';
import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatsCache, canonicalJson, type StatsCacheKey } from '../../src/metrics/stats-cache.ts';
import { FeatureStats } from '../../src/metrics/feature-stats.ts';

const dir = mkdtempSync(join(tmpdir(), 'sg3-stats-cache-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const key: StatsCacheKey = {
  dataset: { kind: 'folder', path: '/data/ffhq', files: 70000, mirror: false },
  network: 'inception-2015-12-05@0123456789abcdef',
  resolution: 256,
  maxItems: null,
  captureAll: false,
  captureMeanCov: true,
};

test('canonicalJson sorts keys at every level and drops undefined', (t) => {
  t.is(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: null }], c: undefined } }), '{"a":{"d":[1,{"y":null,"z":0}]},"b":1}');
  t.is(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }));
  t.throws(() => canonicalJson({ a: NaN }), { message: 'canonicalJson: non-finite number (got NaN)' });
});

test('save -> load returns the same statistics; the file name is the sha256 of the canonical key', (t) => {
  const cache = new StatsCache(join(dir, 'a'));
  t.is(cache.load(key), null);
  const stats = new FeatureStats({ captureMeanCov: true, captureAll: true });
  stats.append(Float32Array.from([1, 2, 3, 4, 5, 7]), 3);
  const path = cache.save(key, stats);
  t.regex(path, /feature-stats-[0-9a-f]{64}\.safetensors$/);
  t.deepEqual(readdirSync(join(dir, 'a')), [path.split('/').pop()]); // no temp file left behind
  const again = cache.load({ ...key, dataset: { mirror: false, files: 70000, path: '/data/ffhq', kind: 'folder' } });
  t.truthy(again);
  t.deepEqual(again!.getMeanCov(), stats.getMeanCov());
  t.deepEqual(again!.getAll(), stats.getAll());
});

test('any part of the key changes the address: dataset, network, resolution, count, capture mode', (t) => {
  const cache = new StatsCache(dir);
  const variants: StatsCacheKey[] = [
    { ...key, dataset: { ...(key.dataset as object), files: 69999 } },
    { ...key, network: 'inception-2015-12-05@fedcba9876543210' },
    { ...key, resolution: 128 },
    { ...key, maxItems: 1000 },
    { ...key, captureAll: true },
  ];
  const hashes = new Set([key, ...variants].map((k) => cache.keyHash(k)));
  t.is(hashes.size, 6);
});
