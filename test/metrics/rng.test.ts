import test from 'ava';
import { Rng } from '../../src/metrics/rng.ts';

test('same seed gives the same stream; different seeds differ', (t) => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const sa = Array.from({ length: 20 }, () => a.nextU32());
  t.deepEqual(sa, Array.from({ length: 20 }, () => b.nextU32()));
  t.notDeepEqual(sa, Array.from({ length: 20 }, () => c.nextU32()));
});

test('uniform is in [0,1) with mean ~1/2; normal has mean ~0 and variance ~1 (n=20000)', (t) => {
  const rng = new Rng(1);
  const n = 20000;
  let su = 0, sn = 0, sn2 = 0;
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    t.true(u >= 0 && u < 1);
    su += u;
    const z = rng.normal();
    sn += z; sn2 += z * z;
  }
  t.true(Math.abs(su / n - 0.5) < 0.01);
  t.true(Math.abs(sn / n) < 0.03);
  t.true(Math.abs(sn2 / n - 1) < 0.05);
});

test('int(n=7) covers every value about equally', (t) => {
  const rng = new Rng(2);
  const counts = new Array(7).fill(0);
  for (let i = 0; i < 7000; i++) counts[rng.int(7)]++;
  for (const c of counts) t.true(c > 850 && c < 1150, `count ${c}`);
  t.throws(() => rng.int(0), { message: /Rng.int: n must be an integer/ });
});

test('choice(n=50, m=20) returns distinct in-range indices; m=n is a permutation', (t) => {
  const rng = new Rng(3);
  const c = rng.choice(50, 20);
  t.is(new Set(c).size, 20);
  t.true([...c].every((i) => i >= 0 && i < 50));
  t.deepEqual([...rng.choice(10, 10)].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  t.throws(() => rng.choice(5, 6), { message: 'Rng.choice: need 0 <= m <= n (got n=5, m=6)' });
});
