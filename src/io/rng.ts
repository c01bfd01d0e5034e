/**
 * sg3's seeded random numbers on the CPU: the training loop (latents, augmentation parameters,
 * path-length noise), weight initialisation in nets/, and the metrics (KID subsets,
 * SWD patches and projections, equivariance transforms, z and noise of the evaluated generator).
 * (data/ keeps its own per-index sfc32 streams in src/data/rng.ts; `sg3 generate --seeds` draws z as
 * gen_images.py does, from numpy's RandomState in src/io/numpy-random.ts.)
 *
 * Elsewhere the official code draws from torch's global generator, whose stream sg3 does not
 * reproduce, so the contract is: same seed (or same restored state) -> same draws, on every platform.
 * Generator: xoshiro128** (Blackman & Vigna) on 32-bit words with integer math only (Math.imul);
 * the seed is expanded by splitmix32 so that nearby seeds give unrelated streams.
 *
 * Two normal flavours exist because saved checkpoints and published seeds depend on both streams:
 *   normal(), fillNormal()   Box-Muller pairs: the cosine value now, the sine value on the next call
 *                            (the pending value is part of the state); nets/ and metrics/ use these;
 *   unpairedNormals(n)       n single draws, the cosine value of a fresh pair each (two uniforms per
 *                            value, the sine value thrown away, nothing pending); the training loop
 *                            and augmentation use these.
 * "Unpaired" is the whole difference: normal() hands out both halves of each pair and keeps one in the
 * state, unpairedNormals() never keeps one and leaves a pending normal() value untouched.
 * They share the words, so a caller that mixes them still gets a reproducible stream.
 */

/** A checkpointable RNG state: plain JSON. */
export interface RngState {
  algorithm: 'xoshiro128**';
  s: [number, number, number, number];   // four uint32 words, never all zero
  spare_normal?: number;                 // only while normal() holds the second value of a pair
}

const TWO_32 = 0x100000000;

function splitmix32(st: { s: number }): number {
  st.s = (st.s + 0x9e3779b9) | 0;
  let z = st.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * The 32-bit word splitmix32 starts from. A seed that fits 32 bits (signed or unsigned) is taken
 * mod 2^32; a larger one also mixes in its high word, so 2^40 and 2^40 + 2^32 differ.
 */
function seedWord(seed: number): number {
  if (seed >= -0x80000000 && seed < TWO_32) return seed >>> 0;
  return ((seed >>> 0) ^ Math.imul(Math.floor(seed / TWO_32) | 0, 0x27d4eb2d)) >>> 0;
}

export class Rng {
  // The four state words, kept as plain numbers (int32 bit patterns) for speed; getState() gives uint32.
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  private spare: number | null = null;

  /** `seed`: any integer (see seedWord for how it becomes 32 bits). */
  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new Error(`Rng: seed must be an integer (got ${seed})`);
    const st = { s: seedWord(seed) };
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1; // the all-zero state is a fixed point
  }

  /** A generator that continues exactly from a saved state. */
  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    rng.setState(state);
    return rng;
  }

  getState(): RngState {
    const s: RngState['s'] = [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
    return this.spare === null ? { algorithm: 'xoshiro128**', s } : { algorithm: 'xoshiro128**', s, spare_normal: this.spare };
  }

  setState(state: RngState): void {
    const ok = state?.algorithm === 'xoshiro128**' && Array.isArray(state.s) && state.s.length === 4
      && state.s.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) && state.s.some((w) => w !== 0)
      && (state.spare_normal === undefined || Number.isFinite(state.spare_normal));
    if (!ok) throw new Error(`Rng.setState: expected {algorithm: 'xoshiro128**', s: four uint32 words, not all zero, spare_normal?: finite} (got ${JSON.stringify(state)})`);
    [this.a, this.b, this.c, this.d] = state.s;
    this.spare = state.spare_normal ?? null;
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

  /** Uniform double in [0, 1) with 53 random bits (like torch.rand, but in float64). */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** `n` uniform draws in [0, 1). */
  uniforms(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.uniform();
    return out;
  }

  /** Uniform integer in [0, n), unbiased (rejection of the short last bucket). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > TWO_32) throw new Error(`Rng.int: n must be an integer in [1, 2^32] (got ${n})`);
    const limit = TWO_32 - (TWO_32 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
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

  /** Standard normal, paired flavour: Box-Muller's cosine value now, its sine value on the next call. */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fills `out` with paired-flavour normal() draws times `scale`. */
  fillNormal(out: Float32Array | Float64Array, scale = 1): typeof out {
    for (let i = 0; i < out.length; i++) out[i] = this.normal() * scale;
    return out;
  }

  /**
   * `n` standard normals, unpaired flavour: each the cosine value of a fresh Box-Muller pair (its sine
   * value discarded, unlike normal()); never reads or writes the pending paired value.
   */
  unpairedNormals(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const u = 1 - this.uniform(); // (0, 1]: log never sees 0
      const v = this.uniform();
      out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
    return out;
  }
}
