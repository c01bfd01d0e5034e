/**
 * The rigid schedule of rows A-H (docs/plan.md), and size invariants over the whole ladder: every
 * layer's paddings, taps and factors must turn its input canvas into exactly its output canvas.
 */
import test from 'ava';
import { designKaiser } from '../../src/plan/filters.ts';
import { planExperiment } from '../../src/plan/index.ts';
import { rigidHalfWidth } from '../../src/plan/schedule.ts';
import type { LayerPlan } from '../../src/plan/types.ts';
import { LADDER, ladderConfig } from './_configs.ts';

/** Output size of a layer computed from its plan alone (the op sequence documented on LayerPlan). */
function outputSize(l: LayerPlan): number {
  const [lo, hi] = l.padding;
  if (l.up_before_conv) return l.in_size[0] * l.up_factor + lo + hi - (l.up_taps - 1) - (l.conv_kernel - 1);
  const conv = l.in_size[0] + 2 * l.conv_padding - l.conv_kernel + 1;
  return Math.floor((conv * l.up_factor + lo + hi - (l.up_taps - 1) - (l.down_taps - 1) + l.down_factor - 1) / l.down_factor);
}

test('row=A res=256: StyleGAN2 layout (blocks, channels, num_ws, skips, noise, [1,3,3,1] filters)', (t) => {
  const p = planExperiment(ladderConfig('A', 256));
  const s = p.synthesis;
  const names = ['b4.conv1'];
  for (let r = 8; r <= 256; r *= 2) names.push(`b${r}.conv0`, `b${r}.conv1`);
  t.deepEqual(s.layers.map((l) => l.official_name), [...names, 'b256.torgb']);
  t.is(s.num_layers, 13);
  t.is(s.num_ws, 2 * Math.log2(256) - 2); // StyleGAN2's num_ws
  t.is(p.mapping.num_ws, 14);
  t.is(p.mapping.num_layers, 8);
  // channels_dict = min(32768 // res, 512): 512 up to 64, then 256, 128.
  const ch = (r: number) => Math.min(Math.floor(32768 / r), 512);
  s.layers.slice(0, -1).forEach((l) => t.is(l.out_channels, ch(l.out_sampling_rate), l.name));
  t.deepEqual(s.input, { kind: 'constant', name: 'b4.const', channels: 512, size: [4, 4], sampling_rate: 4, bandwidth: 2, transform: 'none', w_index: null });
  t.deepEqual(s.layers.filter((l) => l.skip_torgb).map((l) => l.skip_torgb!.name), ['b4.torgb', 'b8.torgb', 'b16.torgb', 'b32.torgb', 'b64.torgb', 'b128.torgb']);
  for (const l of s.layers) {
    t.is(l.use_noise, !l.is_torgb);
    t.true(l.is_critically_sampled);
    t.false(l.is_filtered);
    t.is(l.normalization, 'none');
    t.is(l.out_cutoff, l.out_sampling_rate / 2);
    t.deepEqual(l.out_size, [l.out_sampling_rate, l.out_sampling_rate]);
    if (l.up_factor === 2) {
      t.true(l.up_before_conv && l.flip_kernel);
      t.deepEqual(l.up_filter, [0.125, 0.375, 0.375, 0.125]);
      t.deepEqual(l.padding, [3, 2, 3, 2]);
      t.is(l.conv_padding, 0);
    } else if (!l.is_torgb) {
      t.deepEqual(l.padding, [-1, -1, -1, -1]); // conv with 2 zeros then crop 1 = SG2's 'same' padding
    }
    t.is(l.down_factor, 1);
    t.is(l.down_filter, null);
  }
});

test('row=E res=64: margins, Kaiser up-sampling filters before the conv', (t) => {
  const s = planExperiment(ladderConfig('E', 64)).synthesis;
  const last = s.layers.length - 1;
  s.layers.forEach((l, i) => {
    t.is(l.out_size[0], i >= last - 1 ? 64 : l.out_sampling_rate + 20, l.name);
    t.false(l.is_filtered);
    if (l.up_factor > 1) {
      t.true(l.up_before_conv);
      t.is(l.up_taps, 12);
      t.is(l.tmp_sampling_rate, l.out_sampling_rate);
      t.deepEqual(l.up_filter, designKaiser(12, l.in_cutoff, 2 * l.in_half_width, l.out_sampling_rate, false));
    }
  });
  // b8.conv0: 24 -> 28 canvas; pad_total = 28 - 24*2 + 11 + 2 = -7, lo = floor(-5/2) = -3.
  t.deepEqual(s.layers[1]!.padding, [-3, -4, -3, -4]);
  t.is(s.layers[1]!.in_half_width, rigidHalfWidth(4));
});

test('row=F res=64: filtered nonlinearities run at 2x the higher rate', (t) => {
  const s = planExperiment(ladderConfig('F', 64)).synthesis;
  for (const l of s.layers.filter((x) => !x.is_torgb)) {
    t.true(l.is_filtered);
    t.false(l.up_before_conv);
    t.is(l.tmp_sampling_rate, 2 * l.out_sampling_rate);
    const isUp = l.out_sampling_rate > l.in_sampling_rate;
    t.is(l.up_factor, isUp ? 4 : 2, l.name);
    t.is(l.down_factor, 2);
    t.is(l.up_taps, 6 * l.up_factor);
    t.is(l.down_taps, 12);
    t.is(l.conv_padding, 2);
  }
});

test('row=G res=256: non-critical cutoffs s/2 - f_h except the last critical_layers, channels by cutoff', (t) => {
  const s = planExperiment(ladderConfig('G', 256)).synthesis;
  const n = s.num_layers;
  t.is(s.num_critical, 2);
  s.layers.forEach((l, i) => {
    const rate = l.out_sampling_rate;
    const critical = i >= n - 2;
    t.is(l.is_critically_sampled, critical, l.name);
    t.true(Math.abs(l.out_half_width - (Math.SQRT2 - 1) * rate / 2) < 1e-12);
    if (critical) {
      t.is(l.out_cutoff, rate / 2);
    } else {
      t.true(Math.abs(l.out_stopband - rate / 2) < 1e-12, `${l.name}: stopband at s/2`);
      t.is(l.out_channels, Math.round(Math.min(32768 / 2 / l.out_cutoff, 512)));
    }
  });
  t.true(Math.abs(s.layers[0]!.in_cutoff - (2 - rigidHalfWidth(4))) < 1e-12);
  t.is(s.input.bandwidth, 2); // the configured band of the features, not L0's lowered cutoff
});

test('row=H: the learned transform gives the input its own ws row', (t) => {
  const g = planExperiment(ladderConfig('G', 64)).synthesis;
  const h = planExperiment(ladderConfig('H', 64)).synthesis;
  t.is(g.input.w_index, null);
  t.is(h.input.w_index, 0);
  t.is(h.num_ws, g.num_ws + 1);
  t.is(h.layers[0]!.w_index, 1);
});

for (const row of LADDER) {
  for (const res of [16, 64]) {
    test(`row=${row} res=${res}: every layer maps its input canvas onto its output canvas`, (t) => {
      const s = planExperiment(ladderConfig(row, res)).synthesis;
      t.is(s.layers.length, s.num_layers + 1);
      t.deepEqual(s.layers[0]!.in_size, s.input.size);
      s.layers.forEach((l, i) => {
        t.is(outputSize(l), l.out_size[0], `${l.name}`);
        if (i > 0) t.deepEqual(l.in_size, s.layers[i - 1]!.out_size);
        if (i > 0) t.is(l.in_channels, s.layers[i - 1]!.out_channels);
        t.is(l.in_sampling_rate * l.up_factor, l.tmp_sampling_rate);
        t.is(l.out_sampling_rate * l.down_factor, l.tmp_sampling_rate);
      });
      const torgb = s.layers[s.layers.length - 1]!;
      t.true(torgb.is_torgb);
      t.deepEqual(torgb.out_size, [res, res]);
      t.is(torgb.out_channels, 3);
      t.deepEqual(s.layers.map((l) => l.w_index), s.layers.map((_, i) => i + (s.input.w_index === null ? 0 : 1)));
    });
  }
}
