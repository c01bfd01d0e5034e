import test from 'ava';
import { join } from 'node:path';
import { readSafetensors, getF32 } from '../../src/io/safetensors.ts';
import { applyIntegerTranslation, applyFractionalTranslation, applyFractionalRotation, applyFractionalPseudoRotation, type FloatBatch } from '../../src/metrics/eq-ops.ts';
import { computeEquivariance, drawEqTransform, equivarianceSums, psnrFromSums, type EqKind, type EquivarianceTarget } from '../../src/metrics/equivariance.ts';
import { Rng } from '../../src/io/rng.ts';
import { GOLDEN, readGoldenJson } from '../_golden.ts';
import { bandLimitedNoise } from './_images.ts';

const file = readSafetensors(join(GOLDEN, 'eq_metric_T16.safetensors'));
const meta = readGoldenJson('eq_metric_T16.json');
const tr = meta.transforms_float32;

/** Sample i of a stored [4, 3, 16, 16] tensor as a batch of 1. */
function sample(name: string, i: number): FloatBatch {
  const { data } = getF32(file, name, 'eq_metric_T16');
  const per = 3 * 16 * 16;
  return { data: data.slice(i * per, (i + 1) * per), shape: [1, 3, 16, 16] };
}
function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const kinds: [EqKind, string, (i: number) => { t?: [number, number]; angle?: number }][] = [
  ['int', 'int', (i) => ({ t: tr.int_t[i] })],
  ['frac', 'frac', (i) => ({ t: tr.frac_t[i] })],
  ['rot', 'rot', (i) => ({ angle: tr.rot_angle[i] })],
];

for (const [kind, key, drawOf] of kinds) {
  test(`golden=eq_metric_T16 metric=${kind}: per-sample mask sums exact, error sums and PSNR (±1e-3 dB) match`, (t) => {
    const want = meta.results[key];
    let err = 0, mask = 0;
    for (let i = 0; i < 4; i++) {
      const s = equivarianceSums(kind, sample('orig', i), sample(`${key}.img`, i), drawOf(i));
      t.is(s.mask, want.mask_sum_per_sample[i], `sample ${i} mask`);
      t.true(Math.abs(s.err - want.err_sum_per_sample[i]) <= 1e-3 * want.err_sum_per_sample[i] + 1e-11, `sample ${i} err ${s.err} vs ${want.err_sum_per_sample[i]}`);
      err += s.err;
      mask += s.mask;
    }
    const psnr = psnrFromSums({ err, mask });
    t.log(`psnr ${psnr} vs ${want.psnr_db}`);
    t.true(Math.abs(psnr - want.psnr_db) < 1e-3);
  });
}

test('golden=eq_metric_T16: the reference images (int/frac/rot ref, rot pseudo) and masks match the stored tensors', (t) => {
  for (let i = 0; i < 4; i++) {
    const orig = sample('orig', i);
    const int = applyIntegerTranslation(orig, tr.int_t[i][0], tr.int_t[i][1]);
    t.deepEqual(int.out.data, sample('int.ref', i).data);
    t.deepEqual(int.mask.data, sample('int.mask', i).data);
    const frac = applyFractionalTranslation(orig, tr.frac_t[i][0], tr.frac_t[i][1]);
    t.true(maxAbsDiff(frac.out.data, sample('frac.ref', i).data) < 1e-6);
    const rot = applyFractionalRotation(orig, tr.rot_angle[i]);
    t.true(maxAbsDiff(rot.out.data, sample('rot.ref', i).data) < 2e-5);
    const pseudo = applyFractionalPseudoRotation(sample('rot.img', i), tr.rot_angle[i]);
    t.true(maxAbsDiff(pseudo.out.data, sample('rot.pseudo', i).data) < 4e-6);
    t.deepEqual(rot.mask.data.map((v, k) => v * pseudo.mask.data[k]), sample('rot.mask', i).data);
  }
});

test('drawEqTransform: int translations are whole pixels in [-1/8, 1/8]; the transform holds -t / rotation_matrix(-angle)', (t) => {
  const rng = new Rng(1);
  for (let k = 0; k < 50; k++) {
    const d = drawEqTransform('int', rng, 16);
    for (const v of d.t!) { t.true(Math.abs(v) <= 0.125); t.true(Number.isInteger(v * 16)); }
    t.deepEqual([d.transform[2], d.transform[5]], [-d.t![0], -d.t![1]]);
    const r = drawEqTransform('rot', rng, 16);
    t.true(Math.abs(r.angle!) <= Math.PI);
    t.is(r.transform[1], -Math.fround(Math.sin(r.angle!)));
  }
});

/** A fake generator on a fixed image set: `shift` applies the transform as an integer translation. */
function fakeTarget(shift: boolean): EquivarianceTarget {
  const images = bandLimitedNoise(8, 3, 16, 9);
  const floats = Float32Array.from(images.data, (v) => v / 127.5 - 1);
  let next = 0;
  return {
    resolution: 16,
    async sample(batch) {
      const per = 3 * 16 * 16;
      const orig: FloatBatch = { data: floats.slice(next * per, (next + batch) * per), shape: [batch, 3, 16, 16] };
      next = (next + batch) % 8;
      return async (m) => (shift ? applyIntegerTranslation(orig, -m[2], -m[5]).out : orig);
    },
  };
}

test('computeEquivariance int: a perfectly equivariant fake target gives +Infinity dB, one that ignores the transform a low PSNR', async (t) => {
  t.is(await computeEquivariance(fakeTarget(true), 'int', { numSamples: 8, batchSize: 2, seed: 3 }), Infinity);
  const bad = await computeEquivariance(fakeTarget(false), 'int', { numSamples: 8, batchSize: 2, seed: 3 });
  t.true(bad < 20, `psnr ${bad}`);
});
