/**
 * erf, erfc and erfinv in float64, for the official `debug_percentile` mode of the augmentation
 * pipeline (a percentile p becomes the normal quantile erfinv(2p - 1) * std). JavaScript has no
 * erf; these are accurate to a few ulps over the range the pipeline uses.
 */

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** erf by its Maclaurin series; used for |x| < 2.5, where the alternating terms stay below ~1e2. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x, sum = x;
  for (let n = 1; n < 200; n++) {
    term *= -x2 / n;                      // (-1)^n x^(2n+1) / n!
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * sum;
}

/** erfc for x >= 2.5 by its continued fraction (Laplace), evaluated bottom-up. */
function erfcContinuedFraction(x: number): number {
  let f = x;
  for (let k = 120; k >= 1; k--) f = x + (k / 2) / f;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  return x < 2.5 ? 1 - erfSeries(x) : erfcContinuedFraction(x);
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (Math.abs(x) < 2.5) return erfSeries(x);
  return Math.sign(x) * (1 - erfcContinuedFraction(Math.abs(x)));
}

/**
 * Inverse of erf on [-1, 1] (±1 -> ±Infinity, like torch.erfinv). Steps: Winitzki's closed form
 * as a start (~2e-3 relative), then Newton on the complementary residual (1 - y) - erfc(x),
 * which keeps full precision in the tails where erf(x) - y would cancel.
 */
export function erfinv(y: number): number {
  if (Number.isNaN(y) || y < -1 || y > 1) return NaN;
  if (y === 1) return Infinity;
  if (y === -1) return -Infinity;
  if (y === 0) return 0;
  if (y < 0) return -erfinv(-y);
  const a = 0.147;
  const ln = Math.log((1 - y) * (1 + y));
  const t = 2 / (Math.PI * a) + ln / 2;
  let x = Math.sqrt(Math.sqrt(t * t - ln / a) - t);
  const q = 1 - y; // exact for y >= 0.5 (Sterbenz), and harmless below
  for (let i = 0; i < 8; i++) {
    const r = q - erfc(x); // = erf(x) - y
    const step = r / (TWO_OVER_SQRT_PI * Math.exp(-x * x));
    x -= step;
    if (Math.abs(step) <= 1e-16 * Math.abs(x)) break;
  }
  return x;
}
