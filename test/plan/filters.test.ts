/**
 * Filter design: the Kaiser design against the official taps (filters_sg3_T64/R64.json, ~1e-7
 * absolute), the Bessel functions against tabulated values, and invariants of every filter kind.
 */
import test from 'ava';
import {
  bilinearTaps, designGaussian, designKaiser, designLanczos, designLowpassFilter, kaiserAtten, kaiserBeta, kaiserWindow,
} from '../../src/plan/filters.ts';
import { besselI0, besselJ1 } from '../../src/plan/bessel.ts';
import { planSynthesis } from '../../src/plan/synthesis.ts';
import { readGoldenJson } from '../_golden.ts';
import { configR, makeConfig } from './_configs.ts';

interface GoldenFilter { numtaps: number; cutoff: number; width: number; fs: number; radial: boolean; shape: number[]; taps: number[] | number[][] | null }
interface GoldenFilters { config: 'T' | 'R'; img_resolution: number; layers: { name: string; up_filter: GoldenFilter; down_filter: GoldenFilter }[] }

const flat = (x: number[] | number[][]): number[] => (x as (number | number[])[]).flat();

function maxAbsDiff(a: number[] | number[][], b: number[] | number[][]): number {
  const fa = flat(a);
  const fb = flat(b);
  if (fa.length !== fb.length) return Infinity;
  return fa.reduce((m, v, i) => Math.max(m, Math.abs(v - fb[i]!)), 0);
}

for (const file of ['filters_sg3_T64.json', 'filters_sg3_R64.json']) {
  const g = readGoldenJson<GoldenFilters>(file);
  test(`golden=${file}: designKaiser with the official arguments reproduces every tap`, (t) => {
    for (const l of g.layers) {
      for (const which of ['up_filter', 'down_filter'] as const) {
        const f = l[which];
        const mine = designKaiser(f.numtaps, f.cutoff, f.width, f.fs, f.radial);
        if (f.taps === null) { t.is(mine, null, `${l.name}.${which}`); continue; }
        t.not(mine, null);
        t.true(maxAbsDiff(mine!, f.taps) <= 1e-7, `${l.name}.${which}: max diff ${maxAbsDiff(mine!, f.taps)}`);
      }
    }
  });

  test(`golden=${file}: the planned layers carry the same filters`, (t) => {
    const cfg = g.config === 'T' ? makeConfig(g.img_resolution) : configR(g.img_resolution);
    const layers = planSynthesis(cfg).layers;
    t.deepEqual(layers.map((l) => l.name), g.layers.map((l) => l.name));
    layers.forEach((l, i) => {
      const want = g.layers[i]!;
      for (const [mine, f] of [[l.up_filter, want.up_filter], [l.down_filter, want.down_filter]] as const) {
        if (f.taps === null) t.is(mine, null);
        else t.true(maxAbsDiff(mine!, f.taps) <= 1e-7, `${l.name}`);
      }
    });
  });
}

test('besselJ1 matches tabulated values (Abramowitz & Stegun) and its first zeros', (t) => {
  const table: [number, number][] = [[0, 0], [0.5, 0.2422684577], [1, 0.4400505857], [2, 0.5767248078], [5, -0.3275791376], [10, 0.0434727462], [20, 0.0668331242]];
  for (const [x, want] of table) t.true(Math.abs(besselJ1(x) - want) < 1e-9, `J1(${x}) = ${besselJ1(x)}`);
  for (const zero of [3.8317059702075125, 7.015586669815619, 10.173468135062722, 13.323691936314223, 16.470630050877634]) {
    t.true(Math.abs(besselJ1(zero)) < 1e-12, `J1(${zero}) = ${besselJ1(zero)}`);
  }
  t.is(besselJ1(-2), -besselJ1(2));
});

test('besselJ1 is continuous where the series hands over to the asymptotic expansion', (t) => {
  // J1'(x) = J0(x) - J1(x)/x is bounded by ~0.25 here, so neighbours 1e-9 apart differ by < 1e-9.
  const a = besselJ1(12 - 1e-9);
  const b = besselJ1(12 + 1e-9);
  t.true(Math.abs(a - b) < 1e-9);
});

test('besselI0 matches tabulated values', (t) => {
  const table: [number, number][] = [[0, 1], [1, 1.2660658777520082], [2.5, 3.2898391440501231], [10, 2815.716628466254]];
  for (const [x, want] of table) t.true(Math.abs(besselI0(x) / want - 1) < 1e-14, `I0(${x})`);
});

test('Kaiser helpers follow scipy: atten, beta branches, symmetric window with unit centre', (t) => {
  t.true(Math.abs(kaiserAtten(12, 0.5) - (2.285 * 11 * Math.PI * 0.5 + 7.95)) < 1e-12);
  t.is(kaiserBeta(20), 0);
  t.true(Math.abs(kaiserBeta(30) - (0.5842 * 9 ** 0.4 + 0.07886 * 9)) < 1e-12);
  t.true(Math.abs(kaiserBeta(60) - 0.1102 * 51.3) < 1e-12);
  const w = kaiserWindow(9, 5);
  t.is(w[4], 1);
  t.true(Math.abs(w[0]! - 1 / besselI0(5)) < 1e-15);
  w.forEach((v, i) => t.is(v, w[8 - i]));
});

test('kind=kaiser separable: unit DC gain, symmetric, attenuates beyond the stopband', (t) => {
  const taps = designKaiser(12, 2, 12, 32, false) as number[];
  t.true(Math.abs(taps.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  taps.forEach((v, i) => t.is(v, taps[11 - i]));
  // DTFT magnitude at 2x the stopband (f = 16 cycles at fs 32 = Nyquist) is tiny, at DC it is 1.
  const response = (f: number) => taps.reduce((a, v, j) => a + v * Math.cos((2 * Math.PI * f * (j - 5.5)) / 32), 0);
  t.true(Math.abs(response(0) - 1) < 1e-6);
  t.true(Math.abs(response(16)) < 1e-3);
});

test('kind=kaiser radial: unit DC gain and the symmetries of a radial filter', (t) => {
  const f = designKaiser(12, 2, 12, 32, true) as number[][];
  t.is(f.length, 12);
  t.true(Math.abs(f.flat().reduce((a, b) => a + b, 0) - 1) < 1e-6);
  for (let i = 0; i < 12; i++) for (let j = 0; j < 12; j++) {
    t.is(f[i]![j], f[j]![i]);
    t.is(f[i]![j], f[11 - i]![j]);
  }
});

test('kind=lanczos: interpolating kernel at critical sampling, zero outside |u| < a', (t) => {
  // fs = 1, cutoff = 1/2: u = 2 f_c t is the integer tap offset, so sinc(u) vanishes except at 0.
  const f = designLanczos(7, 0.5, 1, 2, false) as number[];
  f.forEach((v, j) => t.true(Math.abs(v - (j === 3 ? 1 : 0)) < 1e-15, `tap ${j} = ${v}`));
  // cutoff 1/8 at fs 1 (u = offset/4): taps with |u| >= 2 (|offset| >= 8) are 0, the rest positive.
  const g = designLanczos(20, 0.125, 1, 2, false) as number[];
  g.forEach((v, j) => {
    const u = Math.abs(j - 9.5) / 4;
    if (u >= 2) t.is(v, 0);
    else if (u < 1) t.true(v > 0);
  });
  t.true(Math.abs(g.reduce((a, b) => a + b, 0) - 1) < 1e-6);
});

test('kind=lanczos radial: unit DC gain, symmetric', (t) => {
  const f = designLanczos(12, 2, 32, 2, true) as number[][];
  t.true(Math.abs(f.flat().reduce((a, b) => a + b, 0) - 1) < 1e-6);
  for (let i = 0; i < 12; i++) for (let j = 0; j < 12; j++) t.is(f[i]![j], f[j]![i]);
});

test('kind=gaussian: ratio of taps follows exp(-u^2/(2 sigma^2)); radial = outer product', (t) => {
  const sigma = 0.4;
  const f = designGaussian(12, 2, 32, sigma, false) as number[];
  // Taps 5 and 6 sit at t = -+0.5/32, u = 2*2*0.5/32 = 1/16; tap 4 at u = 3/16.
  const ratio = f[4]! / f[5]!;
  const want = Math.exp(-((3 / 16) ** 2 - (1 / 16) ** 2) / (2 * sigma * sigma));
  t.true(Math.abs(ratio - want) < 1e-6);
  const r = designGaussian(12, 2, 32, sigma, true) as number[][];
  for (let i = 0; i < 12; i++) for (let j = 0; j < 12; j++) t.true(Math.abs(r[i]![j]! - f[i]! * f[j]!) < 1e-8);
});

test('kind=bilinear: [1,3,3,1]/8 for factor 2, the tent for factor 4, identity for 1', (t) => {
  t.deepEqual(bilinearTaps(2), [0.125, 0.375, 0.375, 0.125]);
  t.deepEqual(bilinearTaps(4), [1, 3, 5, 7, 7, 5, 3, 1].map((v) => v / 32));
  t.is(bilinearTaps(1), null);
});

test('designLowpassFilter: numtaps 1 is the identity for every kind', (t) => {
  for (const kind of ['kaiser', 'lanczos', 'gaussian', 'bilinear'] as const) {
    t.is(designLowpassFilter({ kind, numtaps: 1, cutoff: 2, width: 4, fs: 16, radial: false, lanczos_a: 2, gaussian_sigma: 0.4 }), null, kind);
  }
});

test('every designed tap is a float32 value', (t) => {
  for (const kind of ['kaiser', 'lanczos', 'gaussian'] as const) {
    for (const radial of [false, true]) {
      const f = designLowpassFilter({ kind, numtaps: 12, cutoff: 3, width: 6, fs: 32, radial, lanczos_a: 2, gaussian_sigma: 0.4 })!;
      for (const v of flat(f)) t.is(v, Math.fround(v), `${kind} radial=${radial}`);
    }
  }
});
