// --set values written as YAML flow text parse back to the same data; canonical JSON and the
// "what changed" description used when a finished cell's config changed.
import test from 'ava';
import { parse } from 'yaml';
import { canonicalJson, describeChanges, setArg, yamlFlow } from '../../src/sweep/index.ts';

const values: unknown[] = [
  0, 4, -1.5, 4.2870938501451725, 1e-8, 0.0025, true, false, null, 'kaiser', 'fid50k_full', 'a b', 'true', 'null', 'yes',
  '1.5', '', 'x: y', 'with "quotes"', '#hash', [], ['fid50k_full', 'eqt50k_int'], [1, [2, 'x']], { base: 8192, max: 256 }, { 'a b': { c: [true] } },
];

for (const v of values) {
  test(`yamlFlow round trip value=${JSON.stringify(v)}`, (t) => {
    const text = yamlFlow(v);
    t.false(text.includes('\n'));
    t.deepEqual(parse(text), v);
  });
}

test('plain where unambiguous: what a person would type', (t) => {
  t.is(setArg('generator.filter.kind', 'lanczos'), 'generator.filter.kind=lanczos');
  t.is(setArg('metrics.names', ['fid50k_full', 'eqr50k']), 'metrics.names=[fid50k_full, eqr50k]');
  t.is(setArg('generator.channels', { base: 8192, max: 256 }), 'generator.channels={base: 8192, max: 256}');
  t.is(setArg('data.path', 'yes'), 'data.path="yes"');
  t.throws(() => yamlFlow(Number.NaN), { message: /non-finite/ });
});

test('canonicalJson sorts keys at every level', (t) => {
  t.is(canonicalJson({ b: 1, a: { d: [1, { f: 0, e: null }], c: 'x' } }), '{"a":{"c":"x","d":[1,{"e":null,"f":0}]},"b":1}');
  t.is(canonicalJson({ x: 1, y: 2 }), canonicalJson({ y: 2, x: 1 }));
});

test('describeChanges lists the leaves that differ, in order, then how many more', (t) => {
  t.is(describeChanges({ a: { b: 1, c: 2 }, d: [1] }, { a: { b: 1, c: 3 }, d: [1, 2] }), 'a.c: 2 -> 3, d: [1] -> [1, 2]');
  t.is(describeChanges({ a: 1 }, { a: 1, b: 'x' }), 'b: (unset) -> x');
  t.is(describeChanges({ a: 1, b: 1, c: 1 }, { a: 2, b: 2, c: 2 }, 2), 'a: 1 -> 2, b: 1 -> 2, and 1 more');
  t.is(describeChanges({ a: 1 }, { a: 1 }), '');
});
