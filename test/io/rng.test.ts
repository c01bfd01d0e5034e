/**
 * src/io/rng.ts, the one seeded RNG of train/, nets/ and metrics/: the generator against a slow
 * BigInt reference of xoshiro128** + splitmix32 (and the algorithm's published first outputs), both
 * normal flavours against their definitions, the seed rule, state round trips (with and without a
 * pending normal), distributions, int/choice, and invalid seeds and states.
 */
import test from 'ava';
import { Rng, type RngState } from '../../src/io/rng.ts';

// ---- slow reference: BigInt words, written from the algorithms' definitions ----
const M32 = 0xffffffffn;
const rotlRef = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M32;

function refWords(seed: number): bigint[] {
  // The seed rule: 32-bit seeds (signed or unsigned) mod 2^32, larger ones with their high word mixed in.
  let st = BigInt.asUintN(32, BigInt(seed));
  if (seed < -(2 ** 31) || seed >= 2 ** 32) {
    const hi = BigInt.asUintN(32, BigInt(Math.floor(seed / 2 ** 32)));
    st ^= (hi * 0x27d4eb2dn) & M32;
  }
  return [0, 1, 2, 3].map(() => {
    st = (st + 0x9e3779b9n) & M32;
    let z = st;
    z = ((z ^ (z >> 16n)) * 0x85ebca6bn) & M32;
    z = ((z ^ (z >> 13n)) * 0xc2b2ae35n) & M32;
    return z ^ (z >> 16n);
  });
}

class RefXoshiro {
  constructor(public s: bigint[]) {}
  next(): number {
    const s = this.s;
    const out = (rotlRef((s[1]! * 5n) & M32, 7n) * 9n) & M32;
    const t = (s[1]! << 9n) & M32;
    s[2]! ^= s[0]!; s[3]! ^= s[1]!; s[1]! ^= s[2]!; s[0]! ^= s[3]!; s[2]! ^= t;
    s[3] = rotlRef(s[3]!, 11n);
    return Number(out);
  }
  uniform(): number { return ((this.next() >>> 5) * 2 ** 26 + (this.next() >>> 6)) / 2 ** 53; }
}

test('xoshiro128** from state [1, 2, 3, 4]: the published first outputs, and the reference agrees', (t) => {
  const rng = Rng.fromState({ algorithm: 'xoshiro128**', s: [1, 2, 3, 4] });
  const ours = Array.from({ length: 10 }, () => rng.nextU32());
  t.deepEqual(ours.slice(0, 3), [11520, 0, 5927040]); // worked by hand from the definition
  const ref = new RefXoshiro([1n, 2n, 3n, 4n]);
  t.deepEqual(ours, Array.from({ length: 10 }, () => ref.next()));
});

for (const seed of [0, 1, 42, 2 ** 31, 2 ** 32 - 1, -1, -(2 ** 31), 2 ** 32, 2 ** 40 + 7, 3 * 0x10000 + 1, -(2 ** 40)]) {
  test(`seed=${seed}: words, uniforms and both normal flavours equal the reference`, (t) => {
    const rng = new Rng(seed);
    const words = refWords(seed);
    t.deepEqual(rng.getState().s, words.map(Number));
    const ref = new RefXoshiro(words);
    t.deepEqual(Array.from({ length: 5 }, () => rng.nextU32()), Array.from({ length: 5 }, () => ref.next()));
    t.deepEqual([...rng.uniforms(3)], [ref.uniform(), ref.uniform(), ref.uniform()]);
    // unpaired flavour: u in (0, 1] from 1 - uniform, cosine branch, two uniforms per value
    const single = Array.from({ length: 3 }, () => {
      const u = 1 - ref.uniform(), v = ref.uniform();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    });
    t.deepEqual([...rng.unpairedNormals(3)], single);
    // paired flavour: u in (0, 1) (0 redrawn), cosine value first, then the sine value
    let u = 0;
    while (u === 0) u = ref.uniform();
    const v = ref.uniform(), r = Math.sqrt(-2 * Math.log(u));
    t.deepEqual([rng.normal(), rng.normal()], [r * Math.cos(2 * Math.PI * v), r * Math.sin(2 * Math.PI * v)]);
  });
}

test('same seed -> same stream; nearby seeds, and seeds 2^32 apart beyond 32 bits, differ', (t) => {
  const draw = (seed: number) => { const r = new Rng(seed); return Array.from({ length: 8 }, () => r.nextU32()); };
  t.deepEqual(draw(42), draw(42));
  t.notDeepEqual(draw(42), draw(43));
  t.notDeepEqual(draw(2 ** 40), draw(2 ** 40 + 2 ** 32), 'the high word of the seed counts');
  t.notDeepEqual(draw(-1), draw(1));
  t.deepEqual(draw(-1), draw(2 ** 32 - 1), 'a 32-bit seed is taken mod 2^32, signed or not');
  t.true(draw(0).some((x) => x !== 0));
});

test('state -> JSON -> state resumes every draw exactly, including a pending paired normal', (t) => {
  const a = new Rng(7);
  a.unpairedNormals(5);
  t.deepEqual(Object.keys(a.getState()).sort(), ['algorithm', 's'], 'nothing pending: just the words');
  a.normal(); // leaves the sine value pending
  const saved: RngState = JSON.parse(JSON.stringify(a.getState()));
  t.is(typeof saved.spare_normal, 'number');
  const expected = [a.normal(), ...a.uniforms(3), ...a.unpairedNormals(3), a.normal(), a.normal(), a.int(1000)];
  const b = Rng.fromState(saved);
  t.deepEqual([b.normal(), ...b.uniforms(3), ...b.unpairedNormals(3), b.normal(), b.normal(), b.int(1000)], expected);
  const c = new Rng(99);
  c.normal();
  c.setState({ algorithm: saved.algorithm, s: saved.s }); // no spare in the state: none pending after
  const d = Rng.fromState({ algorithm: saved.algorithm, s: saved.s });
  t.deepEqual([c.normal(), c.normal()], [d.normal(), d.normal()]);
});

test('unpairedNormals() leaves a pending paired value where it is', (t) => {
  const r = new Rng(3);
  r.normal();
  const pending = r.getState().spare_normal;
  t.is(typeof pending, 'number');
  r.unpairedNormals(4);
  t.is(r.normal(), pending as number);
});

test('uniform in [0, 1) with mean 1/2; both normal flavours with mean 0 and variance 1 (n=40000)', (t) => {
  const n = 40000;
  const r = new Rng(1);
  const u = r.uniforms(n);
  t.true(u.every((x) => x >= 0 && x < 1));
  const mean = (xs: ArrayLike<number>) => { let sum = 0; for (let i = 0; i < xs.length; i++) sum += xs[i]!; return sum / xs.length; };
  t.true(Math.abs(mean(u) - 0.5) < 5 * Math.sqrt(1 / 12 / n));
  for (const [name, z] of [['unpairedNormals', r.unpairedNormals(n)], ['fillNormal', r.fillNormal(new Float64Array(n))]] as const) {
    t.true(Math.abs(mean(z)) < 5 / Math.sqrt(n), `${name} mean`);
    const v = mean(z.map((x) => x * x));
    t.true(Math.abs(v - 1) < 5 * Math.sqrt(2 / n), `${name} variance ${v}`);
  }
  const scaled = new Rng(5).fillNormal(new Float32Array(6), 0.5);
  const plain = new Rng(5).fillNormal(new Float32Array(6));
  t.deepEqual([...scaled], [...plain].map((x) => Math.fround(x * 0.5)));
});

test('int(n=7) covers every value about equally; choice(n=50, m=20) is distinct and in range', (t) => {
  const rng = new Rng(2);
  const counts = new Array(7).fill(0);
  for (let i = 0; i < 7000; i++) counts[rng.int(7)]++;
  for (const c of counts) t.true(c > 850 && c < 1150, `count ${c}`);
  const c = rng.choice(50, 20);
  t.is(new Set(c).size, 20);
  t.true([...c].every((i) => i >= 0 && i < 50));
  t.deepEqual([...rng.choice(10, 10)].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('invalid seeds, arguments and states are rejected with the value', (t) => {
  t.throws(() => new Rng(1.5), { message: 'Rng: seed must be an integer (got 1.5)' });
  t.throws(() => new Rng(Number.NaN), { message: 'Rng: seed must be an integer (got NaN)' });
  t.throws(() => new Rng(1).int(0), { message: 'Rng.int: n must be an integer in [1, 2^32] (got 0)' });
  t.throws(() => new Rng(1).choice(5, 6), { message: 'Rng.choice: need 0 <= m <= n (got n=5, m=6)' });
  t.throws(() => Rng.fromState({ algorithm: 'xoshiro128**', s: [0, 0, 0, 0] }), { message: /Rng.setState: .*\(got \{"algorithm":"xoshiro128\*\*","s":\[0,0,0,0\]\}\)/ });
  t.throws(() => Rng.fromState({ algorithm: 'sfc32', s: [1, 2, 3, 4] } as unknown as RngState), { message: /Rng.setState/ });
  t.throws(() => Rng.fromState({ algorithm: 'xoshiro128**', s: [1, 2, 3, 2 ** 32] }), { message: /Rng.setState/ });
  t.throws(() => Rng.fromState({ algorithm: 'xoshiro128**', s: [1, 2, 3, 4], spare_normal: Number.NaN }), { message: /Rng.setState/ });
});
