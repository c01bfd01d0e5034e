/**
 * Kaiser-windowed sinc low-pass design (the same recipe as scipy.signal.firwin with a Kaiser
 * window, which StyleGAN3 uses for its filters), for the procedural dataset's decimation.
 * Units: `cutoff` and `halfWidth` in cycles per output pixel, `fs` input samples per output pixel.
 */

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for beta < 20). */
export function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 50; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return sum;
}

/** Kaiser's empirical formulas (scipy kaiser_atten / kaiser_beta). */
export function kaiserBeta(numtaps: number, widthOverNyquist: number): number {
  const atten = 2.285 * (numtaps - 1) * Math.PI * widthOverNyquist + 7.95;
  if (atten > 50) return 0.1102 * (atten - 8.7);
  if (atten > 21) return 0.5842 * Math.pow(atten - 21, 0.4) + 0.07886 * (atten - 21);
  return 0;
}

/**
 * Symmetric low-pass taps, normalised to sum 1:
 *   1. ideal response sinc(2 fc / fs * (k - (N-1)/2)) for k = 0..N-1
 *   2. times a Kaiser window whose beta gives the transition width 2 * halfWidth
 *   3. divided by the sum (unit DC gain)
 */
export function designLowpass(numtaps: number, cutoff: number, halfWidth: number, fs: number): Float64Array {
  const nyquist = fs / 2;
  const beta = kaiserBeta(numtaps, (2 * halfWidth) / nyquist);
  const taps = new Float64Array(numtaps);
  const mid = (numtaps - 1) / 2;
  const i0b = besselI0(beta);
  let sum = 0;
  for (let k = 0; k < numtaps; k++) {
    const t = k - mid;
    const x = (2 * cutoff / fs) * t;
    const ideal = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const r = t / mid;
    const window = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0b;
    taps[k] = ideal * window;
    sum += taps[k]!;
  }
  for (let k = 0; k < numtaps; k++) taps[k]! /= sum;
  return taps;
}
