/**
 * State-dict naming of the synthesis layers: StyleGAN2 block names (bR.conv0/conv1/torgb) for the
 * official StyleGAN2 network (row A, constant input), StyleGAN3 names (L{i}_{size}_{ch}) from row B
 * on, where the input is `synthesis.input` (nets/ writes and reads weights under these names).
 */
import test from 'ava';
import { planExperiment } from '../../src/plan/index.ts';
import { LADDER, ladderConfig } from './_configs.ts';

for (const row of LADDER) {
  test(`row=${row} res=32: layer state-dict names`, (t) => {
    const s = planExperiment(ladderConfig(row, 32)).synthesis;
    if (row === 'A') {
      t.deepEqual(s.layers.map((l) => l.official_name), ['b4.conv1', 'b8.conv0', 'b8.conv1', 'b16.conv0', 'b16.conv1', 'b32.conv0', 'b32.conv1', 'b32.torgb']);
      t.is(s.input.name, 'b4.const');
      return;
    }
    t.is(s.input.name, 'input');
    for (const l of s.layers) {
      t.is(l.official_name, l.name);
      t.regex(l.name, new RegExp(`^L${l.idx}_${l.out_size[0]}_${l.out_channels}$`));
    }
    // The extra ToRGBs of the skip architecture (B, C) keep their StyleGAN2 names: SG3 has no such layer.
    const skips = s.layers.filter((l) => l.skip_torgb).map((l) => l.skip_torgb!.name);
    t.deepEqual(skips, row === 'B' || row === 'C' ? ['b4.torgb', 'b8.torgb', 'b16.torgb'] : []);
  });
}
