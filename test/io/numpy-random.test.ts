/**
 * src/io/numpy-random.ts, numpy's legacy RandomState, and seedsToZ built on it: MT19937 against the
 * C++ standard's check value, randn against numpy's published and printed values (numpy 1.24 on
 * glibc, read off at development time; the test never calls Python), the per-seed independence of
 * an odd count, the seed range, and the correctly rounded log the polar Gaussian needs.
 */
import test from 'ava';
import { NumpyRandomState, NUMPY_MAX_SEED, isNumpySeed, logRounded } from '../../src/io/numpy-random.ts';
import { seedsToZ } from '../../src/nets/latents.ts';

test('MT19937 seeded 5489: the 10000th output is 4123659995 (C++ [rand.predef] mt19937)', (t) => {
  const rng = new NumpyRandomState(5489);
  let word = 0;
  for (let i = 0; i < 10000; i++) word = rng.nextUint32();
  t.is(word, 4123659995);
});

test('randomDouble: 53 bits from two words, in [0, 1)', (t) => {
  const a = new NumpyRandomState(7), b = new NumpyRandomState(7);
  for (let i = 0; i < 1000; i++) {
    const u = a.randomDouble();
    t.is(u, ((b.nextUint32() >>> 5) * 2 ** 26 + (b.nextUint32() >>> 6)) / 2 ** 53);
    t.true(u >= 0 && u < 1);
  }
});

test('seed=0 randn(6) = numpy\'s RandomState(0).randn(6), bit for bit', (t) => {
  const want = [1.764052345967664, 0.4001572083672233, 0.9787379841057392, 2.240893199201458, 1.8675579901499675, -0.977277879876411];
  t.deepEqual(Array.from(new NumpyRandomState(0).randn(6)), want);
});

// numpy: np.random.RandomState(s).randn(1, 512)[0][i] for these i (printed with repr).
const Z512: [number, [number, number][]][] = [
  [1, [[0, 1.6243453636632417], [1, -0.6117564136500754], [2, -0.5281717522634557], [255, -1.0445893819077916], [256, 2.0511734428574444], [510, 1.693809113288081], [511, 0.19686977925029145]]],
  [42, [[0, 0.4967141530112327], [1, -0.13826430117118466], [2, 0.6476885381006925], [255, -0.48423407286625136], [256, 1.2669111491866227], [510, 0.2704568257798388], [511, -0.05023810944913695]]],
  [NUMPY_MAX_SEED, [[0, 0.6484086742306527], [1, 0.6693235306338161], [2, -1.0805437227474493], [255, 1.1589730511183858], [256, -0.7674640491201805], [510, -0.03243661465360325], [511, -0.16334506047141822]]],
];

for (const [seed, picks] of Z512) {
  test(`seed=${seed} z_dim=512: randn and seedsToZ equal numpy's draws (float64, and float32 after the cast)`, (t) => {
    const z64 = new NumpyRandomState(seed).randn(512);
    const z32 = seedsToZ([seed], 512);
    for (const [i, v] of picks) {
      t.is(z64[i], v, `randn[${i}]`);
      t.is(z32[i], Math.fround(v), `seedsToZ[${i}]`);
    }
    t.deepEqual(z32, Float32Array.from(z64));
  });
}

test('odd count: each seed is its own RandomState (the cached Gaussian never reaches the next row)', (t) => {
  // numpy: RandomState(0).randn(3) and RandomState(1).randn(3); one stream would give seed 0's 4th value next.
  const z = seedsToZ([0, 1], 3);
  t.deepEqual(Array.from(z), [1.764052345967664, 0.4001572083672233, 0.9787379841057392,
    1.6243453636632417, -0.6117564136500754, -0.5281717522634557].map(Math.fround));
  t.deepEqual(seedsToZ([1, 0], 3), Float32Array.from([...z.subarray(3), ...z.subarray(0, 3)]));
  t.is(seedsToZ([], 3).length, 0);
});

test('a cached Gaussian is returned next: randn(3) then randn(3) = randn(6)', (t) => {
  const rng = new NumpyRandomState(0);
  t.deepEqual([...rng.randn(3), ...rng.randn(3)], Array.from(new NumpyRandomState(0).randn(6)));
});

test('seeds: numpy\'s range [0, 2^32 - 1], anything else a RangeError naming the seed', (t) => {
  for (const ok of [0, 1, 2 ** 31, NUMPY_MAX_SEED]) t.true(isNumpySeed(ok), String(ok));
  for (const bad of [-1, 2 ** 32, 1.5, NaN, Infinity, -0.5]) {
    t.false(isNumpySeed(bad), String(bad));
    t.throws(() => new NumpyRandomState(bad), { instanceOf: RangeError, message: `NumpyRandomState: seed must be an integer between 0 and 2**32 - 1, as numpy's (got ${bad})` });
  }
  t.throws(() => seedsToZ([0, 2 ** 32], 4), { instanceOf: RangeError });
});

// ln(x) rounded to nearest, from mpmath at 200 bits (glibc's log gives the same); V8's Math.log
// returns the neighbouring double for each of these, which shifted ~3% of numpy's draws by an ulp.
const LOGS: [number, number][] = [
  [0.709107, -0.3437488470525986],
  [0.411989, -0.8867586290181623],
  [0.16173, -1.82182700085045],
  [0.628922, -0.46374803633042133],
  [0.754081, -0.28225548968835096],
  [5e-324, -744.4400719213812],                  // the smallest subnormal
  [2.2250738585072014e-308, -708.3964185322641], // the smallest normal
  [1.7976931348623157e308, 709.782712893384],
  [1 + 2 ** -52, 2.2204460492503128e-16],
  [1 - 2 ** -53, -1.1102230246251565e-16],
  [0.75, -0.2876820724517809],
  [1.5, 0.4054651081081644],
  [2, Math.LN2],
  [1, 0],
];

test('logRounded: the correctly rounded ln where Math.log is an ulp off, at the ends of the range, and exact cases', (t) => {
  for (const [x, want] of LOGS) t.is(logRounded(x), want, `x=${x}`);
  t.is(logRounded(0), -Infinity);
  t.is(logRounded(Infinity), Infinity);
  t.true(Number.isNaN(logRounded(-1)));
  t.true(Number.isNaN(logRounded(NaN)));
});

test('logRounded: within one ulp of Math.log over (0, 1) (neither is more than an ulp from ln)', (t) => {
  const rng = new NumpyRandomState(3);
  for (let i = 0; i < 20000; i++) {
    const x = rng.randomDouble() || 0.5;
    const [a, b] = [logRounded(x), Math.log(x)];
    const ulp = 2 ** (Math.floor(Math.log2(Math.abs(b))) - 52);
    t.true(Math.abs(a - b) <= ulp, `x=${x}: ${a} vs ${b}`);
  }
});
