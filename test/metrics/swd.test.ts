import test from 'ava';
import { pyrDown, pyrUp, laplacianPyramid, swdResolutions, SwdDescriptors, computeSwd, slicedWasserstein } from '../../src/metrics/swd.ts';
import { Rng } from '../../src/io/rng.ts';
import { bandLimitedNoise, blur, addNoise } from './_images.ts';
import type { ImageBatch } from '../../src/metrics/images.ts';

/** scipy.ndimage.convolve(mode='mirror') with a 5x5 kernel, written the slow, direct way. */
function convolveMirror(src: Float32Array, h: number, w: number, k: number[][]): Float64Array {
  const m = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * n - 2 - i : i);
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    let s = 0;
    for (let a = -2; a <= 2; a++) for (let b = -2; b <= 2; b++) s += k[a + 2][b + 2] * src[m(y + a, h) * w + m(x + b, w)];
    out[y * w + x] = s;
  }
  return out;
}
const K = [1, 4, 6, 4, 1].map((a) => [1, 4, 6, 4, 1].map((b) => (a * b) / 256));

test('pyrDown/pyrUp 8x8 equal the original scipy mirror convolutions (pyrUp gain 4)', (t) => {
  const rng = new Rng(1);
  const img = Float32Array.from({ length: 64 }, () => rng.int(256));
  const full = convolveMirror(img, 8, 8, K);
  const down = pyrDown(img, 8, 8);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) t.true(Math.abs(down[y * 4 + x] - full[2 * y * 8 + 2 * x]) < 1e-3);
  const zeros = new Float32Array(64);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) zeros[2 * y * 8 + 2 * x] = down[y * 4 + x];
  const wantUp = convolveMirror(zeros, 8, 8, K.map((r) => r.map((v) => v * 4)));
  const up = pyrUp(down, 4, 4);
  for (let i = 0; i < 64; i++) t.true(Math.abs(up[i] - wantUp[i]) < 1e-3);
});

test('laplacianPyramid 32 levels=2..3 reconstructs the image (up(low) + band = image)', (t) => {
  const img = Float32Array.from(bandLimitedNoise(1, 1, 32, 2).data);
  for (const levels of [2, 3]) {
    const pyr = laplacianPyramid(img, 32, levels);
    let cur = pyr[levels - 1];
    let s = 32 >> (levels - 1);
    for (let l = levels - 2; l >= 0; l--) {
      const up = pyrUp(cur, s, s);
      cur = up.map((v, i) => v + pyr[l][i]);
      s *= 2;
    }
    t.true(cur.every((v, i) => Math.abs(v - img[i]) < 1e-3), `levels=${levels}`);
  }
});

test('swdResolutions: down to 16 as the original (256 -> 5 levels, 16 -> 1)', (t) => {
  t.deepEqual(swdResolutions(256), [256, 128, 64, 32, 16]);
  t.deepEqual(swdResolutions(16), [16]);
  t.deepEqual(swdResolutions(8), []);
});

test('descriptors are normalised per channel to mean 0 and std 1 (images 32px, 3 channels)', (t) => {
  const d = new SwdDescriptors(32, 1);
  d.feed(bandLimitedNoise(4, 3, 32, 3));
  t.is(d.count, 4 * 128);
  const [level0] = d.finalize();
  const dim = 3 * 49;
  for (let ch = 0; ch < 3; ch++) {
    let s = 0, s2 = 0, n = 0;
    for (let r = 0; r < d.count; r++) for (let k = 0; k < 49; k++) { const v = level0[r * dim + ch * 49 + k]; s += v; s2 += v * v; n++; }
    t.true(Math.abs(s / n) < 1e-4);
    t.true(Math.abs(s2 / n - 1) < 1e-4);
  }
});

function swd(a: ImageBatch, b: ImageBatch): Record<string, number> {
  const da = new SwdDescriptors(32, 11), db = new SwdDescriptors(32, 12);
  da.feed(a);
  db.feed(b);
  return computeSwd(da, db, 13);
}

// Two samples of one distribution give SWD at the sampling floor (~1/sqrt(#descriptors)); the
// original used 16384 images, these tests 8..32 to stay fast, so "~0" is checked as "shrinks with N".
const real = bandLimitedNoise(32, 3, 32, 100);
const other = bandLimitedNoise(32, 3, 32, 200);
const base = swd(real, other);

test('SWD 32px: two samples of one distribution approach 0 as the sample grows (8 -> 32 images)', (t) => {
  const small = swd(bandLimitedNoise(8, 3, 32, 100), bandLimitedNoise(8, 3, 32, 200));
  t.log({ small: small.SWDx1e3_avg, base: base.SWDx1e3_avg });
  t.true(base.SWDx1e3_avg < 0.7 * small.SWDx1e3_avg);
  t.deepEqual(Object.keys(base), ['SWDx1e3_32', 'SWDx1e3_16', 'SWDx1e3_avg']);
});

test('SWD 32px x 32 images: grows monotonically as the fakes are blurred more (sigma 1 < 2 < 4 px)', (t) => {
  const blurred = [1, 2, 4].map((s) => swd(real, blur(other, s)).SWDx1e3_avg);
  t.log({ base: base.SWDx1e3_avg, blurred });
  t.true(base.SWDx1e3_avg < blurred[0] && blurred[0] < blurred[1] && blurred[1] < blurred[2]);
  t.true(blurred[2] > 2.5 * base.SWDx1e3_avg);
});

test('SWD 32px x 32 images: the finest level grows monotonically with added noise (sigma 12 < 36 < 100)', (t) => {
  const noisy = [12, 36, 100].map((s) => swd(real, addNoise(other, s, 7)).SWDx1e3_32);
  t.log({ base: base.SWDx1e3_32, noisy });
  t.true(base.SWDx1e3_32 < noisy[0] && noisy[0] < noisy[1] && noisy[1] < noisy[2]);
  t.true(noisy[2] > 2 * base.SWDx1e3_32);
});

test('slicedWasserstein of a set with itself is 0; of a shifted copy equals the mean |shift . dir|', (t) => {
  const rng = new Rng(5);
  const a = Float32Array.from({ length: 100 * 4 }, () => rng.normal());
  t.is(slicedWasserstein(a, a, 4, new Rng(1)), 0);
  const shifted = a.map((v, i) => (i % 4 === 0 ? v + 1 : v));
  // shifting along e0 by 1 moves every sorted projection by dir[0]; SWD = mean |dir_0| over directions.
  const d = slicedWasserstein(a, shifted, 4, new Rng(1), 1, 64);
  const r = new Rng(1);
  const dirs = Array.from({ length: 4 * 64 }, () => r.normal());
  let want = 0;
  for (let k = 0; k < 64; k++) {
    const norm = Math.hypot(dirs[k], dirs[64 + k], dirs[128 + k], dirs[192 + k]);
    want += Math.abs(dirs[k] / norm) / 64;
  }
  t.true(Math.abs(d - want) < 1e-5, `${d} vs ${want}`);
});
