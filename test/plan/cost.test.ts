/**
 * FLOP counts, checked against hand-derived sums for small networks (the counting rules are in
 * src/plan/cost.ts and docs/plan.md); parameter counts are checked against the goldens in
 * golden-nets.test.ts.
 */
import test from 'ava';
import { planExperiment } from '../../src/plan/index.ts';
import { configA, makeConfig } from './_configs.ts';

const small = { generator: { z_dim: 32, w_dim: 32, channels: { base: 160, max: 32 } } };

test('d_sg2_16 layout: D FLOPs equal the hand-derived sum', (t) => {
  const p = planExperiment(makeConfig(16, { discriminator: { channels: { base: 256, max: 32 } } }));
  // b16: fromrgb 3->16; conv0 16->16 3x3 @16; conv1 16->32: [1,3,3,1] on 20x20 -> 17x17 (all positions),
  // stride-2 3x3 -> 8x8; skip 16->32: filter at the 8x8 kept outputs of an 18x18 padded input, 1x1 conv.
  const b16 = 16 * 3 * 256 + 16 * 16 * 9 * 256 + (16 * 4 * 20 * 17 + 16 * 4 * 17 * 17) + 32 * 16 * 9 * 64 + (16 * 4 * 18 * 8 + 16 * 4 * 8 * 8) + 32 * 16 * 64;
  const b8 = 32 * 32 * 9 * 64 + (32 * 4 * 12 * 9 + 32 * 4 * 9 * 9) + 32 * 32 * 9 * 16 + (32 * 4 * 10 * 4 + 32 * 4 * 4 * 4) + 32 * 32 * 16;
  const b4 = 32 * 33 * 9 * 16 + 512 * 32 + 32;
  t.deepEqual(p.cost.discriminator.map((c) => [c.name, c.flops]), [['b16', 2 * b16], ['b8', 2 * b8], ['b4', 2 * b4]]);
  t.is(p.cost.flops_per_image.d, 2 * (b16 + b8 + b4));
});

test('T16 small: L0 and ToRGB FLOPs equal the hand-derived sums', (t) => {
  const p = planExperiment(makeConfig(16, small));
  const l0 = p.cost.synthesis.find((c) => c.name === 'L0_36_32')!;
  // affine 32x32; modulation 3 per weight (32*32*9); conv 3x3 on 36 -> 38 (padding 2);
  // up 2 with 12 taps: 38*2 + 9 + 8 - 11 = 82 rows, polyphase 6 taps, x pass on 38 rows;
  // down 2 with 12 taps: 36x36 kept outputs, x pass on 82 rows.
  const macs = 32 * 32 + 3 * 32 * 32 * 9 + 32 * 32 * 9 * 38 * 38 + 32 * 6 * 82 * (38 + 82) + 32 * 12 * 36 * (82 + 36);
  t.is(l0.flops, 2 * macs);
  const rgb = p.cost.synthesis.find((c) => c.name === 'L14_16_3')!;
  t.is(rgb.flops, 2 * (32 * 10 + 3 * 10 + 3 * 10 * 16 * 16));
  const inp = p.cost.synthesis[0]!;
  t.is(inp.flops, 2 * (32 * 4 + 32 * 32 * 36 * 36 + 2 * 32 * 36 * 36));
});

test('totals are the sums of their parts', (t) => {
  for (const cfg of [makeConfig(64), configA(64)]) {
    const c = planExperiment(cfg).cost;
    t.is(c.flops_per_image.g_synthesis, c.synthesis.reduce((a, x) => a + x.flops, 0));
    t.is(c.params.g_synthesis, c.synthesis.reduce((a, x) => a + x.params, 0));
    t.is(c.flops_per_image.g_total, c.flops_per_image.g_mapping + c.flops_per_image.g_synthesis);
    t.is(c.params.d, c.discriminator.reduce((a, x) => a + x.params, 0));
    t.is(c.flops_per_image.g_mapping, 2 * 2 * 512 * 512 * (cfg.generator.mapping.layers / 2));
  }
});

test('row=A: an up-sampling layer counts the filter before the conv and the skip ToRGB with its upsampling', (t) => {
  const p = planExperiment(configA(16, { generator: { z_dim: 32, w_dim: 32, channels: { base: 256, max: 32 }, mapping: { layers: 2 } } }));
  const b8conv0 = p.cost.synthesis[2]!; // input, L0 (b4.conv1), L1 (b8.conv0)
  // upfirdn2d on 4x4 x32: up 2, pad [3,2] -> 13, 4 taps -> 10 rows; polyphase 2 taps; then 3x3 valid -> 8x8.
  const macs = 32 * 32 + 3 * 32 * 32 * 9 + 32 * 2 * 10 * (4 + 10) + 32 * 32 * 9 * 64;
  t.is(b8conv0.flops, 2 * macs);
  const b4 = p.cost.synthesis[1]!; // b4.conv1 + b4.torgb (+ its image upsampled 4 -> 8)
  const conv1 = 32 * 32 + 3 * 32 * 32 * 9 + 32 * 32 * 9 * 16;
  const torgb = 32 * 32 + 3 * 32 * (1 + 16) + 3 * 2 * 8 * (4 + 8);
  t.is(b4.flops, 2 * (conv1 + torgb));
});
