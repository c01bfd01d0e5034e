/**
 * adaAdjust: the official ADA update `p = max(p + sign(r_t - target) * batch * interval /
 * (ada_kimg * 1000), 0)` and the initial p of each augmentation kind.
 */
import test from 'ava';
import { adaAdjust, initialAugmentP } from '../../src/train/augment/index.ts';

const CFG = { target: 0.6, ada_kimg: 500, interval: 4 };

test('r_t above the target raises p by batch * interval / (ada_kimg * 1000); below lowers it; equal keeps it', (t) => {
  const step = (32 * 4) / (500 * 1000); // 2.56e-4
  t.is(adaAdjust(0.1, 0.9, 32, CFG), 0.1 + step);
  t.is(adaAdjust(0.1, 0.2, 32, CFG), 0.1 - step);
  t.is(adaAdjust(0.1, 0.6, 32, CFG), 0.1);
  t.is(adaAdjust(0.1, -1, 32, { ...CFG, interval: 1, ada_kimg: 100 }), 0.1 - 32 / 100000);
});

test('p is clamped at 0 but, as officially, not capped at 1', (t) => {
  t.is(adaAdjust(0.0001, 0, 32, CFG), 0);
  t.is(adaAdjust(0, -0.5, 64, CFG), 0);
  t.true(adaAdjust(1, 1, 32, CFG) > 1);
});

test('p crosses 0 -> 1 in ada_kimg thousand images when r_t stays above the target', (t) => {
  const batch = 16, cfg = { target: 0.6, ada_kimg: 2, interval: 5 };
  let p = 0, images = 0;
  while (p < 1 - 1e-9) { p = adaAdjust(p, 0.9, batch, cfg); images += batch * cfg.interval; }
  t.is(images, 2000);
});

test('bad inputs are errors that show the value', (t) => {
  t.throws(() => adaAdjust(0.1, NaN, 32, CFG), { message: 'adaAdjust: r_t must be a finite number (got NaN)' });
  t.throws(() => adaAdjust(-1, 0.5, 32, CFG), { message: 'adaAdjust: p must be a finite number >= 0 (got -1)' });
  t.throws(() => adaAdjust(0.1, 0.5, 0, CFG), { message: 'adaAdjust: batch size must be a positive integer (got 0)' });
  t.throws(() => adaAdjust(0.1, 0.5, 32, { ...CFG, ada_kimg: 0 }), { message: 'adaAdjust: ada_kimg must be > 0 (got 0)' });
  t.throws(() => adaAdjust(0.1, 0.5, 32, { ...CFG, interval: 1.5 }), { message: 'adaAdjust: interval must be a positive integer (got 1.5)' });
});

test('initial p: the configured one, else 0.2 for fixed and 0 for ada (official defaults)', (t) => {
  t.is(initialAugmentP({ kind: 'fixed', p: null }), 0.2);
  t.is(initialAugmentP({ kind: 'ada', p: null }), 0);
  t.is(initialAugmentP({ kind: 'ada', p: 0.35 }), 0.35);
  t.is(initialAugmentP({ kind: 'none', p: null }), 0);
});
