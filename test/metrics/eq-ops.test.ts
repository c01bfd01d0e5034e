import test from 'ava';
import { join } from 'node:path';
import { readSafetensors, getF32 } from '../../src/io/safetensors.ts';
import { constructAffineBandlimitFilter, rotationMatrix } from '../../src/metrics/eq-filter.ts';
import {
  applyIntegerTranslation, applyFractionalTranslation, applyFractionalRotation, applyFractionalPseudoRotation, type FloatBatch,
} from '../../src/metrics/eq-ops.ts';
import { GOLDEN, readGoldenJson } from '../_golden.ts';

const file = readSafetensors(join(GOLDEN, 'eq_ops.safetensors'));
const meta = readGoldenJson('eq_ops.json');
const tensor = (name: string) => getF32(file, name, 'eq_ops');
const x: FloatBatch = { data: tensor('x').data, shape: tensor('x').shape as [number, number, number, number] };

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
const tol = (name: string) => meta.f32_vs_f64[name].suggested_abs_tol as number;

// The calls as the JSON `calls` block describes them.
const cases: [string, () => { out: FloatBatch; mask: FloatBatch }, number | 'exact'][] = [
  ['int0', () => applyIntegerTranslation(x, 0.125, -0.20833333333333334), 'exact'],
  ['int1', () => applyIntegerTranslation(x, -0.2916666666666667, 0.08333333333333333), 'exact'],
  ['frac0', () => applyFractionalTranslation(x, 0.1, -0.23), tol('frac0.out')],
  ['frac1', () => applyFractionalTranslation(x, -0.0417, 0.137), tol('frac1.out')],
  ['rot0', () => applyFractionalRotation(x, 0.35), tol('rot0.out')],
  ['pseudo0', () => applyFractionalPseudoRotation(x, 0.35), tol('pseudo0.out')],
];

for (const [name, run, tolerance] of cases) {
  test(`golden=eq_ops case=${name}: output at ${tolerance === 'exact' ? 'exact equality' : `abs tol ${tolerance}`}, mask exactly`, (t) => {
    const { out, mask } = run();
    t.deepEqual(out.shape, x.shape);
    t.deepEqual(mask.data, tensor(`${name}.mask`).data);
    if (tolerance === 'exact') t.deepEqual(out.data, tensor(`${name}.out`).data);
    else {
      const d = maxAbsDiff(out.data, tensor(`${name}.out`).data);
      t.log(`max abs diff ${d}`);
      t.true(d <= tolerance, `max abs diff ${d}`);
    }
  });
}

test('golden=eq_ops: rotation (up=4, 47x47) and pseudo-rotation (up=1, 11x11) filters at abs tol 1e-6', (t) => {
  const rot = constructAffineBandlimitFilter(rotationMatrix(0.35), { a: 3, amax: 6, up: 4 });
  t.is(rot.size, 47);
  t.true(maxAbsDiff(rot.taps, tensor('rot0.filter').data) <= tol('rot0.filter'));
  const pseudo = constructAffineBandlimitFilter(rotationMatrix(-Math.fround(0.35)), { a: 3, amax: 6, up: 1 });
  t.is(pseudo.size, 11);
  t.true(maxAbsDiff(pseudo.taps, tensor('pseudo0.filter').data) <= tol('pseudo0.filter'));
});

test('integer translation by >= the image size gives zeros and an empty mask', (t) => {
  const { out, mask } = applyIntegerTranslation(x, 1, 0);
  t.true(out.data.every((v) => v === 0));
  t.true(mask.data.every((v) => v === 0));
});

test('fractional translation by a whole number of pixels equals the integer translation inside the mask', (t) => {
  const frac = applyFractionalTranslation(x, 2 / 24, -1 / 24);
  const int = applyIntegerTranslation(x, 2 / 24, -1 / 24);
  for (let i = 0; i < x.data.length; i++) if (frac.mask.data[i]) t.true(Math.abs(frac.out.data[i] - int.out.data[i]) < 1e-6);
});
