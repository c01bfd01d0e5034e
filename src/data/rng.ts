/**
 * Deterministic random numbers for datasets: a stateless 32-bit hash to derive independent
 * streams from (seed, index, ...) and a small sfc32 generator. Everything is integer math
 * (Math.imul), so sequences are identical on every platform and Node version.
 */

/** Mixes any number of integers (each taken mod 2^53 as hi/lo words) into one uint32. */
export function hash32(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) {
    const lo = v >>> 0;
    const hi = Math.floor(v / 0x100000000) >>> 0;
    h = mix(h ^ lo);
    h = mix(h ^ hi ^ 0x85ebca6b);
  }
  return mix(h);
}

/** The murmur3 32-bit finaliser: full avalanche. */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** sfc32 (Chris Doty-Humphrey's small fast counting generator), seeded through hash32. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;

  constructor(...seed: number[]) {
    this.a = hash32(...seed, 1);
    this.b = hash32(...seed, 2);
    this.c = hash32(...seed, 3);
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  float(): number { return this.u32() / 0x100000000; }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number { return lo + (hi - lo) * this.float(); }

  /** Uniform integer in [0, n), without modulo bias (n <= 2^32). */
  int(n: number): number {
    const limit = 0x100000000 - (0x100000000 % n);
    let x = this.u32();
    while (x >= limit) x = this.u32();
    return x % n;
  }
}

/** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
export function permutation(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i]!; p[i] = p[j]!; p[j] = t;
  }
  return p;
}
