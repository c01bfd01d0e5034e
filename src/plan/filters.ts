/**
 * Low-pass filter design for the synthesis layers, in pure TypeScript (float64 maths, float32 taps).
 *
 * The Kaiser design reproduces the official `SynthesisLayer.design_lowpass_filter` (StyleGAN3,
 * networks_stylegan3.py): separable taps = `scipy.signal.firwin(numtaps, cutoff, width=width, fs=fs)`,
 * radial taps = a jinc times a separable-product Kaiser window. Lanczos and Gaussian are the paper's
 * Figure 5 filter ablation; `bilinear` is StyleGAN2's [1,3,3,1] family. All designs have unit DC gain
 * (taps sum to 1); the resampling op applies the up-sampling gain (up^2) itself.
 *
 * Units: `cutoff`, `width` and `fs` are frequencies in the same unit (cycles per image-unit); tap j sits
 * at t_j = (j - (numtaps-1)/2) / fs. `u = 2 * cutoff * t` measures position in half-periods of the
 * cutoff: u = 1 is one sample spacing of a critically sampled signal (cutoff = s/2).
 */
import { besselI0, besselJ1 } from './bessel.ts';
import type { FilterKind } from '../config/types.ts';

/** Separable taps (applied along x, then y), 2-D radial taps [row=y][col=x], or null = identity. */
export type FilterTaps = number[] | number[][] | null;

/** Everything a filter design needs; numtaps 1 is the identity filter whatever the kind. */
export interface FilterSpec {
  kind: FilterKind;
  numtaps: number;
  cutoff: number;          // f_c
  width: number;           // transition band width = 2 f_h (Kaiser only)
  fs: number;              // sampling rate of the filtered signal (the layer's tmp_sampling_rate)
  radial: boolean;         // radially symmetric 2-D filter instead of a separable one
  lanczos_a: number;       // Lanczos lobes a (2 in the paper)
  gaussian_sigma: number;  // Gaussian sigma in units of u (0.4 in the paper)
}

// ---- scipy.signal Kaiser helpers --------------------------------------------------------------

/** scipy.signal.kaiser_atten: stopband attenuation (dB) of a Kaiser FIR; width is relative to Nyquist. */
export function kaiserAtten(numtaps: number, width: number): number {
  return 2.285 * (numtaps - 1) * Math.PI * width + 7.95;
}

/** scipy.signal.kaiser_beta: Kaiser's empirical beta for an attenuation in dB. */
export function kaiserBeta(atten: number): number {
  if (atten > 50) return 0.1102 * (atten - 8.7);
  if (atten > 21) return 0.5842 * Math.pow(atten - 21, 0.4) + 0.07886 * (atten - 21);
  return 0;
}

/** Symmetric Kaiser window (numpy.kaiser / scipy kaiser with sym=True). */
export function kaiserWindow(numtaps: number, beta: number): number[] {
  if (numtaps === 1) return [1];
  const alpha = (numtaps - 1) / 2;
  const norm = besselI0(beta);
  return Array.from({ length: numtaps }, (_, n) => {
    const r = (n - alpha) / alpha;
    return besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / norm;
  });
}

/** numpy.sinc: sin(pi x) / (pi x), 1 at 0. */
export function sinc(x: number): number {
  if (x === 0) return 1;
  const y = Math.PI * x;
  return Math.sin(y) / y;
}

// ---- designs -----------------------------------------------------------------------------------

/** Tap positions t_j = (j - (n-1)/2) / fs. */
function tapPositions(numtaps: number, fs: number): number[] {
  return Array.from({ length: numtaps }, (_, j) => (j - (numtaps - 1) / 2) / fs);
}

function toFloat32(taps: number[]): number[] {
  return taps.map((v) => Math.fround(v));
}

function normalise1d(taps: number[]): number[] {
  const sum = taps.reduce((a, b) => a + b, 0);
  return toFloat32(taps.map((v) => v / sum));
}

function normalise2d(taps: number[][]): number[][] {
  const sum = taps.reduce((a, row) => a + row.reduce((b, v) => b + v, 0), 0);
  return taps.map((row) => toFloat32(row.map((v) => v / sum)));
}

/** Evaluates a radial profile g(r) on the numtaps x numtaps grid of tap positions, [row=y][col=x]. */
function radialGrid(numtaps: number, fs: number, profile: (r: number) => number): number[][] {
  const x = tapPositions(numtaps, fs);
  return x.map((y) => x.map((xx) => profile(Math.hypot(xx, y))));
}

/**
 * Kaiser-windowed sinc / jinc (the official design).
 * Separable (scipy.signal.firwin, pass_zero, scale=True):
 *   1. c = cutoff / (fs/2); m_j = j - (n-1)/2.
 *   2. beta = kaiser_beta(kaiser_atten(n, width / (fs/2))); h_j = c sinc(c m_j) kaiser_j(beta).
 *   3. h /= sum(h) (unit gain at DC); cast to float32. Shape [n].
 * Radial:
 *   1. r = hypot(x, y) over the grid of tap positions t_j.
 *   2. f = J1(2 pi cutoff r) / (pi r) (its limit `cutoff` at r = 0), times outer(kaiser, kaiser).
 *   3. f /= sum(f); float32. Shape [n, n].
 */
export function designKaiser(numtaps: number, cutoff: number, width: number, fs: number, radial: boolean): FilterTaps {
  if (numtaps === 1) return null;
  const nyq = fs / 2;
  const beta = kaiserBeta(kaiserAtten(numtaps, width / nyq));
  const win = kaiserWindow(numtaps, beta);
  if (!radial) {
    const c = cutoff / nyq;
    const h = win.map((w, j) => c * sinc(c * (j - (numtaps - 1) / 2)) * w);
    return normalise1d(h);
  }
  const jinc = (r: number) => (r === 0 ? cutoff : besselJ1(2 * cutoff * (Math.PI * r)) / (Math.PI * r));
  const f = radialGrid(numtaps, fs, jinc).map((row, i) => row.map((v, j) => v * win[i]! * win[j]!));
  return normalise2d(f);
}

/**
 * Lanczos (Figure 5 ablation). With u = 2 cutoff t: h(u) = sinc(u) sinc(u/a) for |u| < a, else 0
 * (the classic Lanczos-a kernel when cutoff = s/2); `width` is not used, the window is tied to the
 * cutoff. Radial: jinc(r) sinc(u_r/a) on u_r = 2 cutoff r. numtaps only sets the support (taps
 * beyond |u| >= a are zero). Normalised to unit DC gain, float32.
 */
export function designLanczos(numtaps: number, cutoff: number, fs: number, a: number, radial: boolean): FilterTaps {
  if (numtaps === 1) return null;
  const window = (u: number) => (Math.abs(u) < a ? sinc(u / a) : 0);
  if (!radial) return normalise1d(tapPositions(numtaps, fs).map((t) => sinc(2 * cutoff * t) * window(2 * cutoff * t)));
  const jinc = (r: number) => (r === 0 ? cutoff : besselJ1(2 * cutoff * (Math.PI * r)) / (Math.PI * r));
  return normalise2d(radialGrid(numtaps, fs, (r) => jinc(r) * window(2 * cutoff * r)));
}

/**
 * Gaussian (Figure 5 ablation): h(u) = exp(-u^2 / (2 sigma^2)) with u = 2 cutoff t, so sigma is in
 * units of the critically sampled pixel spacing 1/(2 cutoff). The radial version exp(-u_r^2/(2 sigma^2))
 * equals the outer product of the separable one. `width` is not used. Unit DC gain, float32.
 */
export function designGaussian(numtaps: number, cutoff: number, fs: number, sigma: number, radial: boolean): FilterTaps {
  if (numtaps === 1) return null;
  const g = (u: number) => Math.exp(-(u * u) / (2 * sigma * sigma));
  if (!radial) return normalise1d(tapPositions(numtaps, fs).map((t) => g(2 * cutoff * t)));
  return normalise2d(radialGrid(numtaps, fs, (r) => g(2 * cutoff * r)));
}

/**
 * StyleGAN2's resampling filter generalised to a factor k: the tent w_j = 1 - |j + 1/2 - k| / k,
 * j = 0..2k-1 (linear interpolation with pixel-centre alignment), normalised to sum 1. k = 2 gives
 * setup_filter([1,3,3,1]) = [1,3,3,1]/8 per axis (its 4x4 outer product sums to 1); k = 1 is the
 * identity (null). The op multiplies by the up-sampling gain k^2 (upsample2d/conv0: 4) and uses
 * gain 1 when down-sampling.
 */
export function bilinearTaps(factor: number): number[] | null {
  if (factor === 1) return null;
  return normalise1d(Array.from({ length: 2 * factor }, (_, j) => 1 - Math.abs(j + 0.5 - factor) / factor));
}

/** Number of taps a bilinear filter has for a resampling factor (filter.size does not apply). */
export function bilinearNumtaps(factor: number): number {
  return factor > 1 ? 2 * factor : 1;
}

/** Dispatches on the filter kind. Bilinear filters are separable and sized by the factor (numtaps / 2). */
export function designLowpassFilter(spec: FilterSpec): FilterTaps {
  switch (spec.kind) {
    case 'kaiser': return designKaiser(spec.numtaps, spec.cutoff, spec.width, spec.fs, spec.radial);
    case 'lanczos': return designLanczos(spec.numtaps, spec.cutoff, spec.fs, spec.lanczos_a, spec.radial);
    case 'gaussian': return designGaussian(spec.numtaps, spec.cutoff, spec.fs, spec.gaussian_sigma, spec.radial);
    case 'bilinear': return spec.numtaps === 1 ? null : bilinearTaps(spec.numtaps / 2);
  }
}
