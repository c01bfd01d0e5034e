/**
 * src/train/rng.ts, the RNG the augmentation (and the trainer) draws from: deterministic per seed,
 * its state a small JSON value that round-trips and resumes the stream exactly, sane uniform and
 * normal draws, invalid states rejected.
 */
import test from 'ava';
import { Rng, type RngState } from '../../src/train/rng.ts';

test('same seed -> same stream; nearby and large seeds -> different streams', (t) => {
  const draw = (seed: number) => { const r = new Rng(seed); return Array.from({ length: 8 }, () => r.nextU32()); };
  t.deepEqual(draw(42), draw(42));
  t.notDeepEqual(draw(42), draw(43));
  t.notDeepEqual(draw(2 ** 40), draw(2 ** 40 + 2 ** 32), 'the high word of the seed counts');
  t.true(draw(0).some((x) => x !== 0));
});

test('state -> JSON -> state resumes the stream exactly (uniform and normal draws)', (t) => {
  const a = new Rng(7);
  a.normals(5);
  const saved: RngState = JSON.parse(JSON.stringify(a.getState()));
  const expected = [...a.uniforms(3), ...a.normals(3)];
  const b = Rng.fromState(saved);
  t.deepEqual([...b.uniforms(3), ...b.normals(3)], expected);
  const c = new Rng(99);
  c.setState(saved);
  t.is(c.uniform(), expected[0]);
});

test('uniform in [0, 1) with mean 1/2; normal with mean 0 and variance 1', (t) => {
  const r = new Rng(1);
  const u = r.uniforms(50000), z = r.normals(50000);
  t.true(u.every((x) => x >= 0 && x < 1));
  const mean = (xs: Float64Array) => xs.reduce((a, b) => a + b, 0) / xs.length;
  t.true(Math.abs(mean(u) - 0.5) < 5 * Math.sqrt(1 / 12 / 50000));
  t.true(Math.abs(mean(z)) < 5 / Math.sqrt(50000));
  const v = mean(z.map((x) => x * x));
  t.true(Math.abs(v - 1) < 5 * Math.sqrt(2 / 50000), `variance ${v}`);
});

test('invalid seeds and states are rejected with the value', (t) => {
  t.throws(() => new Rng(1.5), { message: 'Rng: seed must be a safe integer (got 1.5)' });
  t.throws(() => Rng.fromState({ algorithm: 'xoshiro128**', s: [0, 0, 0, 0] }), { message: /Rng.setState: .*\(got \{"algorithm":"xoshiro128\*\*","s":\[0,0,0,0\]\}\)/ });
  t.throws(() => Rng.fromState({ algorithm: 'sfc32', s: [1, 2, 3, 4] } as unknown as RngState), { message: /Rng.setState/ });
  t.throws(() => Rng.fromState({ algorithm: 'xoshiro128**', s: [1, 2, 3, 2 ** 32] }), { message: /Rng.setState/ });
});
