/**
 * Bessel functions for filter design, in float64: I0 (Kaiser window, numpy's `i0`) and J1 (the jinc
 * kernel of the radial filter, scipy's `special.j1`). Accuracy target: ~1e-12 absolute on the
 * argument ranges the planner uses, far below the float32 rounding of the designed taps (1e-7).
 */

/**
 * Modified Bessel function of the first kind, order 0: I0(x) = sum_k ((x/2)^(2k)) / (k!)^2.
 * Every term is positive, so the power series loses no precision to cancellation; it converges for
 * all x, and beta <= 40 or so (the Kaiser windows here) needs fewer than 60 terms.
 */
export function besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 500; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

// Below this |x| the alternating power series of J1 keeps ~1e-12 absolute accuracy (largest term ~4e3);
// above it the Hankel asymptotic expansion is accurate to better than ~1e-11.
const J1_SERIES_LIMIT = 12;

/**
 * Bessel function of the first kind, order 1 (odd: J1(-x) = -J1(x)).
 * 1. |x| <= 12: power series J1(x) = sum_k (-1)^k (x/2)^(2k+1) / (k! (k+1)!).
 * 2. |x| > 12: Hankel's expansion J1(x) = sqrt(2/(pi x)) (P cos chi - Q sin chi), chi = x - 3pi/4,
 *    with P, Q the asymptotic series in 1/x, summed until their terms stop shrinking.
 */
export function besselJ1(x: number): number {
  if (x < 0) return -besselJ1(-x);
  if (x <= J1_SERIES_LIMIT) return j1Series(x);
  return j1Asymptotic(x);
}

function j1Series(x: number): number {
  const half = x / 2;
  const q = half * half;
  let term = half; // k = 0
  let sum = term;
  for (let k = 1; k < 200; k++) {
    term *= -q / (k * (k + 1));
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.max(Math.abs(sum), 1e-300)) break;
  }
  return sum;
}

function j1Asymptotic(x: number): number {
  // a_k = prod_{j=1..k} (4 nu^2 - (2j-1)^2) / (k! 8^k) with nu = 1; term_k = a_k / x^k.
  // P = sum over even k of (-1)^(k/2) term_k; Q = sum over odd k of (-1)^((k-1)/2) term_k.
  let p = 1;
  let q = 0;
  let term = 1;
  let prevAbs = Infinity;
  for (let k = 1; k < 100; k++) {
    const odd = 2 * k - 1;
    term *= (4 - odd * odd) / (k * 8 * x);
    const abs = Math.abs(term);
    if (abs > prevAbs || abs < 1e-17) break; // the asymptotic series diverges after its smallest term
    prevAbs = abs;
    const sign = Math.floor(k / 2) % 2 === 0 ? 1 : -1;
    if (k % 2 === 0) p += sign * term;
    else q += sign * term;
  }
  const chi = x - 0.75 * Math.PI;
  return Math.sqrt(2 / (Math.PI * x)) * (p * Math.cos(chi) - q * Math.sin(chi));
}
