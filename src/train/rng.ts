/**
 * The training loop's random numbers (augmentation parameters, and whatever else the trainer
 * draws on the CPU), with a state that can be saved in a checkpoint and restored, so that a
 * resumed run draws exactly what the uninterrupted run would have drawn.
 *
 * The official code draws from torch's global generator; nobody can reproduce that stream, so the
 * contract here is only: same seed (or same restored state) -> same draws, on every platform.
 * Generator: xoshiro128** (Blackman & Vigna) on 32-bit words with integer math only (Math.imul);
 * the seed is expanded by splitmix32 so that nearby seeds give unrelated streams. The state is the
 * four words and nothing else: `normal()` keeps no spare value, so it never hides state.
 */

/** A checkpointable RNG state: plain JSON. */
export interface RngState {
  algorithm: 'xoshiro128**';
  s: [number, number, number, number];   // four uint32 words, never all zero
}

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

export class Rng {
  private s: Uint32Array;

  /** `seed`: any safe integer; both 32-bit halves are mixed in. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new Error(`Rng: seed must be a safe integer (got ${seed})`);
    const st = { s: (seed >>> 0) ^ Math.imul(Math.floor(seed / 0x100000000) | 0, 0x27d4eb2d) };
    this.s = Uint32Array.from([splitmix32(st), splitmix32(st), splitmix32(st), splitmix32(st)]);
    if (this.s.every((w) => w === 0)) this.s[0] = 1; // the all-zero state is a fixed point
  }

  /** A generator that continues exactly from a saved state. */
  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    rng.setState(state);
    return rng;
  }

  getState(): RngState {
    return { algorithm: 'xoshiro128**', s: [this.s[0], this.s[1], this.s[2], this.s[3]] };
  }

  setState(state: RngState): void {
    const ok = state?.algorithm === 'xoshiro128**' && Array.isArray(state.s) && state.s.length === 4
      && state.s.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) && state.s.some((w) => w !== 0);
    if (!ok) throw new Error(`Rng.setState: expected {algorithm: 'xoshiro128**', s: four uint32 words, not all zero} (got ${JSON.stringify(state)})`);
    this.s = Uint32Array.from(state.s);
  }

  /** Next uniform 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits (like torch.rand, but in float64). */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal draw (Box-Muller, cosine branch only; two uniforms per draw). */
  normal(): number {
    const u = 1 - this.uniform(); // (0, 1]: log never sees 0
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** `n` uniform draws in [0, 1). */
  uniforms(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.uniform();
    return out;
  }

  /** `n` standard normal draws. */
  normals(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal();
    return out;
  }
}
