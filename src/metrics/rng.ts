/**
 * A small deterministic PRNG for the metrics (KID subsets, SWD patch positions and projections,
 * equivariance transforms). The official code draws from numpy/torch global generators; we cannot
 * reproduce their streams, so we make every draw reproducible from an explicit seed instead.
 *
 * Generator: xoshiro128** (Blackman & Vigna), 32-bit state words so it runs on plain JS numbers;
 * the seed is expanded by splitmix32 so that nearby seeds give unrelated streams.
 */

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | null = null;

  /** `seed`: any integer (taken modulo 2^32). */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`Rng: seed must be a finite number (got ${seed})`);
    const st = { s: Math.trunc(seed) | 0 };
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1; // the all-zero state is a fixed point
  }

  /** Next uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n), unbiased (rejection of the short last bucket). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000) throw new Error(`Rng.int: n must be an integer in [1, 2^32] (got ${n})`);
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }

  /** Standard normal draw (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fills `out` with standard normal draws times `scale`. */
  fillNormal(out: Float32Array | Float64Array, scale = 1): typeof out {
    for (let i = 0; i < out.length; i++) out[i] = this.normal() * scale;
    return out;
  }

  /**
   * `m` distinct indices from [0, n) in random order, like numpy's `choice(n, m, replace=False)`
   * (a partial Fisher-Yates shuffle: O(n) memory, O(m) swaps).
   */
  choice(n: number, m: number): Int32Array {
    if (!Number.isInteger(m) || m < 0 || m > n) throw new Error(`Rng.choice: need 0 <= m <= n (got n=${n}, m=${m})`);
    const pool = new Int32Array(n);
    for (let i = 0; i < n; i++) pool[i] = i;
    for (let i = 0; i < m; i++) {
      const j = i + this.int(n - i);
      const tmp = pool[i];
      pool[i] = pool[j];
      pool[j] = tmp;
    }
    return pool.slice(0, m);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
