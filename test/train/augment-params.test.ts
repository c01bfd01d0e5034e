/**
 * The CPU half of the pipeline: the drawn matrices have the official distributions and firing
 * probabilities (including the pre/post rotation split P(pre or post) = p), the stream does not
 * depend on p, the matrix helpers have their algebraic properties, and erfinv is accurate.
 * Statistical checks use a fixed seed and a 5-sigma band, so they are deterministic.
 */
import test from 'ava';
import { AUGMENT_DEFAULTS, drawColor, drawGeometric, type AugmentSpec } from '../../src/train/augment/index.ts';
import { erf, erfinv } from '../../src/train/augment/erfinv.ts';
import {
  householder4, identity3, identity4, isIdentity, LUMA_AXIS, matmul, rotate2d, rotate2dInv, rotate3d, saturate4,
} from '../../src/train/augment/matrices.ts';
import { roundHalfEven } from '../../src/train/augment/params.ts';
import { Rng } from '../../src/io/rng.ts';

const N = 20000;
const W = 64, H = 32;

function spec(ops: Partial<AugmentSpec>): AugmentSpec {
  return { ...AUGMENT_DEFAULTS, ...ops };
}
function geom(ops: Partial<AugmentSpec>, p: number, seed = 1) {
  return drawGeometric(spec(ops), { rng: new Rng(seed), p, n: N, width: W, height: H, channels: 3, debugPercentile: null });
}
function color(ops: Partial<AugmentSpec>, p: number, seed = 1) {
  return drawColor(spec(ops), { rng: new Rng(seed), p, n: N, width: W, height: H, channels: 3, debugPercentile: null });
}
function stats(xs: number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) };
}
/** |observed rate - expected| within 5 sigma of a binomial. */
function rateOk(hits: number, expected: number): boolean {
  return Math.abs(hits / N - expected) <= 5 * Math.sqrt(expected * (1 - expected) / N);
}

test('xflip fires with probability p/2 (half the fired draws choose "no flip"), scaled by p', (t) => {
  for (const p of [0.2, 0.6, 1]) {
    const flips = geom({ xflip: 1 }, p).filter((g) => g[0] === -1).length;
    t.true(rateOk(flips, p / 2), `p=${p}: ${flips / N}`);
  }
});

test('rotate90 draws each quarter turn with probability p/4 (identity p/4 + 1 - p)', (t) => {
  const G = geom({ rotate90: 1 }, 0.8);
  const counts = [[1, 0], [0, 1], [-1, 0], [0, -1]].map(([c, s]) => G.filter((g) => g[0] === c && g[3] === s).length);
  t.is(counts.reduce((a, b) => a + b), N, 'only exact quarter turns');
  t.true(rateOk(counts[0]!, 0.2 + 0.8 / 4) && [1, 2, 3].every((k) => rateOk(counts[k]!, 0.2)), `${counts}`);
});

test('xint shifts by whole pixels up to round(0.125 * size), uniformly, and fires with probability p', (t) => {
  const G = geom({ xint: 1 }, 0.5);
  const tx = G.map((g) => -g[2]!), ty = G.map((g) => -g[5]!);
  t.true(tx.every(Number.isInteger) && ty.every(Number.isInteger));
  t.is(Math.max(...tx.map(Math.abs)), W / 8);
  t.is(Math.max(...ty.map(Math.abs)), H / 8);
  // A fired draw that rounds to (0, 0) looks like no shift: P = 1/16 (x, 8 px range) * 1/8 (y, 4 px range).
  t.true(rateOk(G.filter((g) => !isIdentity(g)).length, 0.5 * (1 - 1 / 128)));
});

test('isotropic scale is lognormal with log2 std 0.2 (std 0.2 * ln 2 in ln), fired with probability p', (t) => {
  const G = geom({ scale: 1 }, 1);
  const log2s = G.map((g) => -Math.log2(g[0]!));   // G_inv = scale(1/s, 1/s)
  t.true(G.every((g) => g[0] === g[4]));
  const { mean, std } = stats(log2s);
  t.true(Math.abs(mean) < 5 * 0.2 / Math.sqrt(N) && Math.abs(std - 0.2) < 0.005, `mean ${mean} std ${std}`);
  t.true(rateOk(geom({ scale: 1 }, 0.3).filter((g) => g[0] !== 1).length, 0.3));
});

test('anisotropic scale is (s, 1/s) with log2 std 0.2', (t) => {
  const G = geom({ aniso: 1 }, 1);
  t.true(G.every((g) => Math.abs(g[0]! * g[4]! - 1) < 1e-12));
  const { std } = stats(G.map((g) => Math.log2(g[0]!)));
  t.true(Math.abs(std - 0.2) < 0.005, `std ${std}`);
});

test('arbitrary rotation: pre and post each fire with 1 - sqrt(1 - p), so P(any rotation) = p; angles uniform in [-pi, pi)', (t) => {
  for (const p of [0.3, 0.75]) {
    const rotated = geom({ rotate: 1 }, p).filter((g) => !isIdentity(g)).length;
    t.true(rateOk(rotated, p), `p=${p}: ${rotated / N}`);
  }
  // p = 1: both rotations always fire; the single-rotation angle distribution shows up at rotate_max = 0.5 as |theta| <= pi/2 each.
  const G = geom({ rotate: 1, rotate_max: 0.5 }, 1);
  t.true(G.every((g) => Math.abs(g[0]! * g[0]! + g[3]! * g[3]! - 1) < 1e-12), 'pure rotations');
  const angles = G.map((g) => Math.atan2(g[3]!, g[0]!));
  const { mean, std } = stats(angles); // sum of two uniforms on [-pi/2, pi/2]: triangular on [-pi, pi], std pi/sqrt(6)
  t.true(Math.abs(mean) < 0.05 && Math.abs(std - Math.PI / Math.sqrt(6)) < 0.02, `mean ${mean} std ${std}`);
});

test('fractional translation is normal with std 0.125 * size, in pixels', (t) => {
  const G = geom({ xfrac: 1 }, 1);
  const sx = stats(G.map((g) => -g[2]!)).std, sy = stats(G.map((g) => -g[5]!)).std;
  t.true(Math.abs(sx / W - 0.125) < 0.003 && Math.abs(sy / H - 0.125) < 0.003, `${sx / W} ${sy / H}`);
});

test('colour draws: brightness std 0.2, contrast log2 std 0.5, luma flip p/2, hue uniform, saturation log2 std 1', (t) => {
  const b = color({ brightness: 1 }, 1).map((c) => c[3]!);
  t.true(Math.abs(stats(b).std - 0.2) < 0.005);
  const c = color({ contrast: 1 }, 1).map((m) => Math.log2(m[0]!));
  t.true(Math.abs(stats(c).std - 0.5) < 0.01);
  const flips = color({ lumaflip: 1 }, 0.5).filter((m) => !isIdentity(m)).length;
  t.true(rateOk(flips, 0.25));
  const hue = color({ hue: 1 }, 1);
  // rotation angle from the trace of the 3x3 block: tr = 1 + 2 cos(theta).
  const cosines = hue.map((m) => (m[0]! + m[5]! + m[10]! - 1) / 2);
  t.true(Math.abs(stats(cosines).mean) < 0.02, 'uniform angle: E[cos] = 0');
  const sat = color({ saturation: 1 }, 1).map((m) => Math.log2(m[0]! - 1 / 3) - Math.log2(2 / 3)); // diag = 1/3 + 2/3 s
  t.true(Math.abs(stats(sat).std - 1) < 0.02);
});

test('the random stream does not depend on p (every enabled op draws), and disabled ops draw nothing', (t) => {
  const all = { xflip: 1, rotate90: 1, xint: 1, scale: 1, rotate: 1, aniso: 1, xfrac: 1 };
  const states = [0, 0.4, 1].map((p) => {
    const rng = new Rng(3);
    drawGeometric(spec(all), { rng, p, n: 5, width: W, height: H, channels: 3, debugPercentile: null });
    return rng.getState();
  });
  t.deepEqual(states[0], states[1]);
  t.deepEqual(states[0], states[2]);
  const rng = new Rng(3);
  const G = drawGeometric(spec({}), { rng, p: 1, n: 5, width: W, height: H, channels: 3, debugPercentile: null });
  t.true(G.every(isIdentity));
  t.deepEqual(rng.getState(), new Rng(3).getState());
});

test('matrix helpers: inverses, Householder is an involution, hue keeps the luma axis, saturation 1 is the identity', (t) => {
  const close = (a: Float64Array, b: Float64Array) => a.every((v, i) => Math.abs(v - b[i]!) < 1e-12);
  t.true(close(matmul(rotate2d(0.7), rotate2dInv(0.7)), identity3()));
  t.true(close(matmul(householder4(LUMA_AXIS), householder4(LUMA_AXIS)), identity4()));
  const R = rotate3d(LUMA_AXIS, 1.1);
  const v = [1, 1, 1, 0];
  t.true([0, 1, 2, 3].every((i) => Math.abs(v.reduce((s, x, j) => s + R[i * 4 + j]! * x, 0) - v[i]!) < 1e-12), 'R v = v');
  t.true(close(saturate4(LUMA_AXIS, 1), identity4()));
  t.false(isIdentity(rotate2d(1e-9)));
  t.true(isIdentity(identity4()));
});

test('roundHalfEven is torch.round; erfinv inverts erf and matches known values', (t) => {
  t.deepEqual([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.4, -2.6].map(roundHalfEven), [-2, -2, -0, 0, 2, 2, 2, -3]);
  t.true(Math.abs(erfinv(0.5) - 0.4769362762044699) < 1e-15);
  t.true(Math.abs(erf(1) - 0.8427007929497149) < 1e-15);
  for (const y of [-0.999999, -0.9, -0.3, 1e-6, 0.2, 0.7, 0.99, 0.9999999]) {
    t.true(Math.abs(erf(erfinv(y)) - y) <= 4e-16, `y=${y}`);
  }
  t.is(erfinv(1), Infinity);
  t.is(erfinv(-1), -Infinity);
  t.true(Number.isNaN(erfinv(1.5)));
});
