/**
 * numpy's legacy `np.random.RandomState(seed)` for integer seeds: the Mersenne Twister (MT19937,
 * Matsumoto & Nishimura 1998) and the draws the official gen_images.py makes from it,
 * `RandomState(seed).randn(1, z_dim)`. Written from the published algorithms (MT19937's
 * init_genrand, twist and tempering; numpy's legacy 53-bit double and polar Gaussian).
 *
 * Exactness: the integer stream and the uniform doubles are exact (integer math, float64 steps
 * that are exact). The Gaussian takes one log and one sqrt per pair. sqrt is correctly rounded in
 * V8 as in C. V8's Math.log is not (fdlibm, < 1 ulp): with it, ~3% of numpy's float64 draws came
 * out 1-2 ulps off (1M draws measured against numpy 1.24 on glibc 2.36; none of them after the
 * cast to float32). So the Gaussian uses logRounded() below, a correctly rounded log (double-double
 * evaluation): it equals glibc's log except where glibc itself misrounds (its documented bound is
 * ~0.52 ulp), and matched every one of those 1M draws bit for bit. numpy on another libm (macOS,
 * Windows) may differ from glibc by an ulp in rare draws; after the float32 cast G applies to z, a
 * one-ulp difference survives only on a float32 rounding boundary (~1 draw in 2^29). The rejection
 * test (r2 >= 1 or r2 == 0) uses no transcendental, so an ulp never shifts the stream.
 */

const N = 624;            // state words
const M = 397;            // twist offset
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** The largest seed numpy's RandomState accepts as an integer (it rejects anything outside [0, this]). */
export const NUMPY_MAX_SEED = 0xffffffff;

/** Whether RandomState(seed) accepts `seed` as numpy does for a Python int. */
export function isNumpySeed(seed: number): boolean {
  return Number.isInteger(seed) && seed >= 0 && seed <= NUMPY_MAX_SEED;
}

export class NumpyRandomState {
  private readonly mt = new Uint32Array(N);
  private pos = N;                       // N: the next word needs a twist first
  private gauss: number | null = null;   // the cached second value of a polar pair

  /** numpy's `_legacy_seeding` of an int: init_genrand(seed), no gauss cached. */
  constructor(seed: number) {
    if (!isNumpySeed(seed)) {
      throw new RangeError(`NumpyRandomState: seed must be an integer between 0 and 2**32 - 1, as numpy's (got ${seed})`);
    }
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]!;
      // 1812433253 * (prev ^ (prev >> 30)) + i, mod 2^32 (Math.imul keeps the low 32 bits exactly)
      mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
  }

  /** The next tempered 32-bit word (genrand_int32), as a non-negative number. */
  nextUint32(): number {
    if (this.pos >= N) this.twist();
    let y = this.mt[this.pos++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** numpy's legacy random_sample: 53 bits from two words, ((a >> 5) * 2^26 + (b >> 6)) / 2^53, in [0, 1). */
  randomDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /**
   * numpy's legacy_gauss: a cached value if one is pending, else a polar (Marsaglia) pair:
   * 1. x1, x2 uniform in (-1, 1), redrawn while r2 = x1^2 + x2^2 is >= 1 or exactly 0;
   * 2. f = sqrt(-2 log(r2) / r2), evaluated in numpy's order;
   * 3. return f * x2 and cache f * x1 for the next call.
   */
  gaussian(): number {
    if (this.gauss !== null) {
      const cached = this.gauss;
      this.gauss = null;
      return cached;
    }
    let x1: number, x2: number, r2: number;
    do {
      x1 = 2.0 * this.randomDouble() - 1.0;
      x2 = 2.0 * this.randomDouble() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 === 0.0);
    const f = Math.sqrt((-2.0 * logRounded(r2)) / r2);
    this.gauss = f * x1;
    return f * x2;
  }

  /** `randn(n)`: n standard normal float64 draws (randn(1, n) gives the same values in the same order). */
  randn(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.gaussian();
    return out;
  }

  /** Regenerate the 624 state words (the MT19937 recurrence, in place). */
  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < N; i++) {
      const y = (mt[i]! & UPPER_MASK) | (mt[(i + 1) % N]! & LOWER_MASK);
      mt[i] = mt[(i + M) % N]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.pos = 0;
  }
}

// ---- a correctly rounded natural log, in double-double arithmetic (value = hi + lo) ----

type DD = [number, number];

/** a + b exactly, as [fl(a + b), error] (Knuth's TwoSum). */
function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return [s, (a - (s - bb)) + (b - bb)];
}

/** a * b exactly, as [fl(a * b), error] (Dekker's product with Veltkamp's split; |a|, |b| < 2^996). */
function twoProd(a: number, b: number): DD {
  const p = a * b;
  const [ah, al] = split(a), [bh, bl] = split(b);
  return [p, ((ah * bh - p) + ah * bl + al * bh) + al * bl];
}

function split(a: number): DD {
  const c = 134217729 * a;   // 2^27 + 1
  const hi = c - (c - a);
  return [hi, a - hi];
}

function ddAdd(x: DD, y: DD): DD {
  const [s, e] = twoSum(x[0], y[0]);
  return twoSum(s, e + x[1] + y[1]);
}

function ddMul(x: DD, y: DD): DD {
  const [p, e] = twoProd(x[0], y[0]);
  return twoSum(p, e + x[0] * y[1] + x[1] * y[0]);
}

/** x / y: a first quotient and two corrections from the exact remainder. */
function ddDiv(x: DD, y: DD): DD {
  const q1 = x[0] / y[0];
  let r = ddAdd(x, ddMul([-q1, 0], y));
  const q2 = r[0] / y[0];
  r = ddAdd(r, ddMul([-q2, 0], y));
  const q3 = r[0] / y[0];
  return ddAdd(twoSum(q1, q2), [q3, 0]);
}

const LN2: DD = [0.6931471805599453, 2.3190468138462996e-17];
const SERIES_TERMS = 22;   // |s| <= 0.172 below: s^44 / 45 < 2^-115
/** 1 / (2k + 1) in double-double, k = 0..SERIES_TERMS. */
const ODD_RECIPROCALS: DD[] = Array.from({ length: SERIES_TERMS + 1 }, (_, k) => ddDiv([1, 0], [2 * k + 1, 0]));
const bits = new DataView(new ArrayBuffer(8));

/**
 * ln(x) rounded to the nearest double (misrounds only where ln(x) lies within ~2^-100 of a midpoint).
 * 1. x = m * 2^e with m in [sqrt(1/2), sqrt(2)] (exact: exponent bits; subnormals scaled by 2^54 first);
 * 2. ln(m) = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), s = (m - 1) / (m + 1), in double-double;
 * 3. ln(x) = e ln(2) + ln(m), rounded once at the end.
 */
export function logRounded(x: number): number {
  if (!(x > 0) || x === Infinity) return Math.log(x);   // NaN, 0, negatives, +inf: no rounding to do
  let e = 0;
  if (x < 2.2250738585072014e-308) { x *= 18014398509481984; e = -54; }   // subnormal: * 2^54
  bits.setFloat64(0, x);
  const high = bits.getUint32(0);
  e += ((high >>> 20) & 0x7ff) - 1023;
  bits.setUint32(0, (high & 0x000fffff) | 0x3ff00000);   // the same mantissa with exponent 0: m in [1, 2)
  let m = bits.getFloat64(0);
  if (m > Math.SQRT2) { m /= 2; e += 1; }
  const s = ddDiv([m - 1, 0], twoSum(m, 1));   // m - 1 is exact (Sterbenz)
  const s2 = ddMul(s, s);
  let sum = ODD_RECIPROCALS[SERIES_TERMS]!;
  for (let k = SERIES_TERMS - 1; k >= 0; k--) sum = ddAdd(ddMul(sum, s2), ODD_RECIPROCALS[k]!);
  const lnM = ddMul(ddMul(s, sum), [2, 0]);
  const eLn2 = ddAdd(twoProd(e, LN2[0]), twoProd(e, LN2[1]));
  const total = ddAdd(eLn2, lnM);
  return total[0] + total[1];
}
