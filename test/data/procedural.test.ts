import test from 'ava';
import { renderProcedural } from '../../src/data/procedural.ts';
import { openDataset } from '../../src/data/registry.ts';
import { designLowpass } from '../../src/data/lowpass.ts';

const R = 32;

/**
 * Fraction of the (mean-removed, Hann-windowed) image energy at frequencies with
 * max(|fx|, |fy|) >= fmin cycles/pixel. The window keeps the image border's wrap-around
 * discontinuity from counting as high-frequency content.
 */
function highFrequencyFraction(img: Uint8Array, plane: number, fmin: number): number {
  const x = new Float64Array(R * R);
  let mean = 0;
  for (let i = 0; i < R * R; i++) mean += img[plane * R * R + i]! / (R * R);
  const hann = (i: number) => 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / R);
  for (let y = 0; y < R; y++) for (let k = 0; k < R; k++) x[y * R + k] = (img[plane * R * R + y * R + k]! - mean) * hann(y) * hann(k);
  // Separable DFT: rows, then columns.
  const re = new Float64Array(R * R);
  const im = new Float64Array(R * R);
  for (let y = 0; y < R; y++) for (let kx = 0; kx < R; kx++) {
    for (let n = 0; n < R; n++) { const a = (-2 * Math.PI * kx * n) / R; re[y * R + kx]! += x[y * R + n]! * Math.cos(a); im[y * R + kx]! += x[y * R + n]! * Math.sin(a); }
  }
  let total = 0;
  let high = 0;
  for (let kx = 0; kx < R; kx++) for (let ky = 0; ky < R; ky++) {
    let r = 0;
    let i = 0;
    for (let n = 0; n < R; n++) {
      const a = (-2 * Math.PI * ky * n) / R;
      const c = Math.cos(a);
      const s = Math.sin(a);
      r += re[n * R + kx]! * c - im[n * R + kx]! * s;
      i += re[n * R + kx]! * s + im[n * R + kx]! * c;
    }
    const e = r * r + i * i;
    total += e;
    if (Math.max(Math.min(kx, R - kx), Math.min(ky, R - ky)) / R >= fmin) high += e;
  }
  return high / total;
}

test('deterministic by (seed, index): same bytes twice, different index or seed gives a different image', (t) => {
  const a = renderProcedural(7, 123, R, 3);
  t.deepEqual(renderProcedural(7, 123, R, 3), a);
  t.notDeepEqual(renderProcedural(7, 124, R, 3), a);
  t.notDeepEqual(renderProcedural(8, 123, R, 3), a);
  t.is(a.length, 3 * R * R);
});

test('values span a good part of the 8-bit range; channels 1 is one luminance plane', (t) => {
  for (let i = 0; i < 20; i++) {
    const rgb = renderProcedural(1, i, R, 3);
    const lo = Math.min(...rgb);
    const hi = Math.max(...rgb);
    t.true(lo >= 0 && hi <= 255 && hi - lo > 40, `image ${i}: ${lo}..${hi}`);
  }
  const gray = renderProcedural(1, 0, R, 1);
  t.is(gray.length, R * R);
  t.notDeepEqual(renderProcedural(1, 0, R, 3).subarray(0, R * R), gray);
});

test('band-limited: little energy near Nyquist compared to a point-sampled hard-edged render', (t) => {
  let filtered = 0;
  let aliased = 0;
  for (let i = 0; i < 8; i++) {
    filtered += highFrequencyFraction(renderProcedural(3, i, R, 3), 1, 14 / 32) / 8;
    aliased += highFrequencyFraction(renderProcedural(3, i, R, 3, { filtered: false }), 1, 14 / 32) / 8;
  }
  t.log(`energy at |f| >= 0.4375 cycles/px: filtered ${filtered.toExponential(2)}, unfiltered ${aliased.toExponential(2)}`);
  t.true(filtered < 1e-3, `filtered fraction ${filtered}`);
  t.true(aliased > 20 * filtered, `unfiltered ${aliased} vs filtered ${filtered}`);
});

test('the decimation filter: unit DC gain, symmetric, >= 35 dB down in the stopband', (t) => {
  const taps = designLowpass(16, 0.35, 0.15, 2);
  t.true(Math.abs(taps.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  for (let k = 0; k < 8; k++) t.true(Math.abs(taps[k]! - taps[15 - k]!) < 1e-15);
  // Frequency response in cycles per output pixel (fs = 2 fine samples per output pixel).
  const response = (f: number) => Math.abs(taps.reduce((acc, h, k) => acc + h * Math.cos(2 * Math.PI * (f / 2) * (k - 7.5)), 0));
  t.true(response(0.1) > 0.95);
  for (let f = 0.5; f <= 1.0; f += 0.01) t.true(response(f) < 10 ** (-35 / 20), `f=${f.toFixed(2)}: ${response(f)}`);
});

test('unaligned: the mean image over many samples is nearly flat', (t) => {
  const n = 200;
  const mean = new Float64Array(R * R);
  let perImageStd = 0;
  for (let i = 0; i < n; i++) {
    const img = renderProcedural(5, i, R, 1);
    let m = 0;
    for (let p = 0; p < R * R; p++) { mean[p]! += img[p]! / n; m += img[p]! / (R * R); }
    let v = 0;
    for (let p = 0; p < R * R; p++) v += (img[p]! - m) ** 2 / (R * R);
    perImageStd += Math.sqrt(v) / n;
  }
  const mm = mean.reduce((a, b) => a + b, 0) / (R * R);
  const meanStd = Math.sqrt(mean.reduce((a, b) => a + (b - mm) ** 2, 0) / (R * R));
  t.true(meanStd < 0.15 * perImageStd, `std of the mean image ${meanStd} vs per-image std ${perImageStd}`);
});

test('kind=procedural through the registry: size num_images, no labels, fast', async (t) => {
  const ds = await openDataset({ kind: 'procedural', path: null, resolution: R, channels: 3, mirror: false, max_images: null, num_images: 5000, seed: 11, prefetch: 2 });
  t.is(ds.size, 5000);
  t.is(ds.labelDim, 0);
  t.deepEqual(ds.read(42).image, renderProcedural(11, 42, R, 3));
  // CPU time rather than wall time: the machine is shared, and the loop is synchronous.
  const start = process.cpuUsage();
  for (let i = 0; i < 500; i++) ds.read(i);
  const used = process.cpuUsage(start);
  const perSecond = 500 / ((used.user + used.system) / 1e6);
  t.log(`${perSecond.toFixed(0)} images/s of CPU time at ${R}x${R} RGB`);
  t.true(perSecond > 500, `${perSecond} images/s`);   // ~2000/s on an idle core
});
