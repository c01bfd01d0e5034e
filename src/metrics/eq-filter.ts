/**
 * The band-limiting filter of the equivariance metrics (official `metrics/equivariance.py`:
 * sinc, lanczos_window, rotation_matrix, construct_affine_bandlimit_filter), in float64.
 * Paper: Alias-Free GAN, Appendix E.3 (EQ-R).
 */

export function sinc(x: number): number {
  const y = Math.abs(x * Math.PI);
  return y < 1e-30 ? 1 : Math.sin(y) / y;
}

export function lanczosWindow(x: number, a: number): number {
  const t = Math.abs(x) / a;
  return t < 1 ? sinc(t) : 0;
}

/** The official rotation_matrix(angle) (float32 entries): [[cos, sin, 0], [-sin, cos, 0], [0, 0, 1]], row-major. */
export function rotationMatrix(angle: number): number[] {
  const a = Math.fround(angle);
  const c = Math.fround(Math.cos(a));
  const s = Math.fround(Math.sin(a));
  return [c, s, 0, -s, c, 0, 0, 0, 1];
}

export interface BandlimitFilterOptions {
  a?: number;      // Lanczos window radius (3)
  amax?: number;   // filter radius in input pixels (16; the metrics use 2a = 6)
  aflt?: number;   // radius of the grid the ideal filters are sampled on (64)
  up?: number;     // upsampling factor the filter works at (4; 1 for the pseudo-rotation)
  cutoffIn?: number;
  cutoffOut?: number;
}

/**
 * An oriented low-pass filter that band-limits both the input and the output of the affine map `mat`
 * (3x3 row-major; only its 2x2 part matters). Returns [S, S] row-major, S = 2 * amax * up - 1.
 *
 * 1. A grid of N = 2 * aflt * up - 1 samples per axis in FFT order (0, 1/up, ..., -1/up).
 * 2. f = (sinc(x_i) sinc(y_i)) circularly convolved with sinc(x_o) sinc(y_o), (x_o, y_o) = M2 (x_i, y_i);
 *    w = the same with Lanczos windows; the filter is f * w. (The official code convolves via
 *    FFTs; only the central S x S outputs survive the crop, and fi, wi are separable, so we evaluate
 *    those outputs directly as two 1-D circular convolutions.)
 * 3. Crop the S x S centre, then normalise each of the up x up polyphase components to sum 1/up^2.
 */
export function constructAffineBandlimitFilter(mat: number[], opts: BandlimitFilterOptions = {}): { taps: Float64Array; size: number } {
  const { a = 3, amax = 16, aflt = 64, up = 4, cutoffIn = 1, cutoffOut = 1 } = opts;
  if (!(a <= amax && amax < aflt)) throw new Error(`constructAffineBandlimitFilter: need a <= amax < aflt (got ${a}, ${amax}, ${aflt})`);
  const n = aflt * up * 2 - 1;
  const size = 2 * amax * up - 1;
  const half = amax * up - 1; // output index `half` is the grid origin
  const coord = (k: number) => (k <= aflt * up - 1 ? k : k - n) / up;
  const [m00, m01, , m10, m11] = mat.map(Math.fround);

  const si = new Float64Array(n); // sinc(x cutoff_in) along one axis (fi is its outer product)
  const li = new Float64Array(n); // Lanczos window along one axis (wi likewise)
  for (let k = 0; k < n; k++) { si[k] = sinc(coord(k) * cutoffIn); li[k] = lanczosWindow(coord(k), a); }
  const fo = new Float64Array(n * n);
  const wo = new Float64Array(n * n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const xi = coord(c), yi = coord(r);
      const xo = m00 * xi + m01 * yi, yo = m10 * xi + m11 * yi;
      fo[r * n + c] = sinc(xo * cutoffOut) * sinc(yo * cutoffOut);
      wo[r * n + c] = lanczosWindow(xo, a) * lanczosWindow(yo, a);
    }
  }
  const f = centralCircularConv(si, fo, n, size, half);
  const w = centralCircularConv(li, wo, n, size, half);
  const taps = new Float64Array(size * size);
  for (let i = 0; i < taps.length; i++) taps[i] = f[i] * w[i];
  normalizePhases(taps, size, up);
  return { taps, size };
}

/** Outputs (R, C) in [-half, half]^2 of (s outer s) circularly convolved with g [n, n]. */
function centralCircularConv(s: Float64Array, g: Float64Array, n: number, size: number, half: number): Float64Array {
  const mod = (i: number) => ((i % n) + n) % n;
  const t = new Float64Array(n * size); // t[rr][C] = sum_c' s[c'] g[rr][C - c']
  for (let rr = 0; rr < n; rr++) {
    const row = rr * n;
    for (let ci = 0; ci < size; ci++) {
      const col = mod(ci - half);
      let acc = 0;
      for (let cp = 0; cp <= col; cp++) acc += s[cp] * g[row + col - cp]; // no wrap-around
      for (let cp = col + 1; cp < n; cp++) acc += s[cp] * g[row + col - cp + n]; // wrapped
      t[rr * size + ci] = acc;
    }
  }
  const out = new Float64Array(size * size);
  for (let ri = 0; ri < size; ri++) {
    const row = mod(ri - half);
    for (let ci = 0; ci < size; ci++) {
      let acc = 0;
      for (let rp = 0; rp < n; rp++) acc += s[rp] * t[mod(row - rp) * size + ci];
      out[ri * size + ci] = acc;
    }
  }
  return out;
}

/** Each polyphase component (r mod up, c mod up) of the zero-padded [size+1]^2 filter sums to 1/up^2. */
function normalizePhases(f: Float64Array, size: number, up: number): void {
  const sums = new Float64Array(up * up);
  for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) sums[(r % up) * up + (c % up)] += f[r * size + c];
  for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) f[r * size + c] /= sums[(r % up) * up + (c % up)] * up * up;
}
