/**
 * The plans of the golden networks (built from each golden JSON's constructor kwargs) against the
 * official state_dicts in `*_params.safetensors`: the trainable tensors (names, order, shapes) and
 * hence the parameter counts, the filter buffers, the noise buffers and the layer names.
 */
import test from 'ava';
import { join } from 'node:path';
import { readSafetensors, type SafetensorsFile } from '../../src/io/safetensors.ts';
import { planExperiment } from '../../src/plan/index.ts';
import { discriminatorParams, generatorParams, numel } from '../../src/plan/params.ts';
import type { Plan } from '../../src/plan/types.ts';
import { GOLDEN, readGoldenJson } from '../_golden.ts';
import { configA, configR, makeConfig } from './_configs.ts';

// Buffers of the official modules: persistent state, not trainable parameters.
const BUFFERS = new Set(['magnitude_ema', 'w_avg', 'up_filter', 'down_filter', 'freqs', 'phases', 'transform', 'noise_const', 'resample_filter']);

function trainable(st: SafetensorsFile): [string, number[]][] {
  return [...st.tensors.entries()].filter(([k]) => !BUFFERS.has(k.split('.').pop()!)).map(([k, v]) => [k, v.shape]);
}

function load(name: string): SafetensorsFile {
  return readSafetensors(join(GOLDEN, `${name}_params.safetensors`));
}

interface Kwargs { z_dim: number; w_dim: number; img_resolution: number; img_channels: number; channel_base: number; channel_max: number; mapping_kwargs: { num_layers: number }; conv_kernel?: number; use_radial_filters?: boolean }

/** A generator plan from the golden's constructor kwargs (SG3 T/R, or the SG2 row-A layout). */
function generatorPlan(golden: string): Plan {
  const k = readGoldenJson<{ constructor_kwargs: Kwargs; produced_by: string }>(`${golden}.json`);
  const kw = k.constructor_kwargs;
  const over = {
    data: { channels: kw.img_channels },
    generator: { z_dim: kw.z_dim, w_dim: kw.w_dim, channels: { base: kw.channel_base, max: kw.channel_max }, mapping: { layers: kw.mapping_kwargs.num_layers } },
  };
  if (k.produced_by.includes('stylegan2')) return planExperiment(configA(kw.img_resolution, over));
  const make = kw.use_radial_filters ? configR : makeConfig;
  return planExperiment(make(kw.img_resolution, { ...over, generator: { ...over.generator, conv_kernel: kw.conv_kernel, channels: over.generator.channels } }));
}

for (const golden of ['g_sg3_T16', 'g_sg3_R16', 'g_sg2_16_nonoise']) {
  test(`golden=${golden}: trainable tensors (names, order, shapes) and parameter count match the state_dict`, (t) => {
    const plan = generatorPlan(golden);
    const want = trainable(load(golden));
    const mine = generatorParams(plan).map((p) => [p.name, p.shape]);
    t.deepEqual(mine, want);
    const total = want.reduce((a, [, s]) => a + numel(s), 0);
    t.is(plan.cost.params.g_total, total);
    t.is(plan.cost.params.g_mapping + plan.cost.params.g_synthesis, total);
    t.is(plan.mapping.num_ws, readGoldenJson<{ num_ws: number }>(`${golden}.json`).num_ws);
  });
}

for (const golden of ['g_sg3_T16', 'g_sg3_R16']) {
  test(`golden=${golden}: layer names and the stored up/down filter buffers`, (t) => {
    const plan = generatorPlan(golden);
    const st = load(golden);
    const modules = readGoldenJson<{ modules: { name: string }[] }>(`${golden}.json`).modules.map((m) => m.name);
    t.deepEqual(['input', ...plan.synthesis.layers.map((l) => l.name)], modules);
    for (const l of plan.synthesis.layers) {
      t.truthy(st.tensors.get(`synthesis.${l.name}.magnitude_ema`), `${l.name} tracks magnitude_ema`);
      t.is(l.normalization, 'magnitude_ema');
      for (const which of ['up_filter', 'down_filter'] as const) {
        const stored = st.tensors.get(`synthesis.${l.name}.${which}`);
        const taps = l[which];
        if (!stored) { t.is(taps, null, `${l.name}.${which} is the identity`); continue; }
        t.deepEqual(Array.isArray(taps![0]) ? [taps!.length, (taps![0] as number[]).length] : [taps!.length], stored.shape);
        t.deepEqual((taps as (number | number[])[]).flat(), Array.from(stored.data as Float32Array), `${l.name}.${which} bit-exact`);
      }
    }
  });
}

test('golden=g_sg2_16_nonoise: noise buffers, resample filters, ws rows of the skip ToRGBs', (t) => {
  const plan = generatorPlan('g_sg2_16_nonoise');
  const st = load('g_sg2_16_nonoise');
  const layers = plan.synthesis.layers;
  t.deepEqual(layers.map((l) => l.official_name), ['b4.conv1', 'b8.conv0', 'b8.conv1', 'b16.conv0', 'b16.conv1', 'b16.torgb']);
  for (const l of layers.filter((x) => x.use_noise)) {
    t.deepEqual(st.tensors.get(`synthesis.${l.official_name}.noise_const`)!.shape, [l.out_size[1], l.out_size[0]]);
  }
  // setup_filter([1,3,3,1]) is the 4x4 outer product of the separable taps.
  const f = layers[1]!.up_filter as number[];
  const stored = Array.from(st.tensors.get('synthesis.b8.conv0.resample_filter')!.data as Float32Array);
  t.deepEqual(f.flatMap((a) => f.map((b) => a * b)), stored);
  // README: b4 uses rows 0 (conv1), 1 (torgb); b8 rows 1, 2, 3; b16 rows 3, 4, 5.
  t.deepEqual(layers.map((l) => l.w_index), [0, 1, 2, 3, 4, 5]);
  t.deepEqual(layers.map((l) => l.skip_torgb?.w_index ?? null), [1, null, 3, null, null, null]);
  t.deepEqual(layers[1]!.padding, [3, 2, 3, 2]);
  t.deepEqual(plan.synthesis.skip!.padding, [2, 1, 2, 1]);
});

test('golden=d_sg2_16: trainable tensors, channels per resolution and parameter count', (t) => {
  const g = readGoldenJson<{ constructor_kwargs: { img_resolution: number; img_channels: number; channel_base: number; channel_max: number; architecture: 'resnet'; epilogue_kwargs: { mbstd_group_size: number } }; channels_per_resolution: Record<string, number> }>('d_sg2_16.json');
  const kw = g.constructor_kwargs;
  const plan = planExperiment(makeConfig(kw.img_resolution, {
    data: { channels: kw.img_channels },
    discriminator: { architecture: kw.architecture, channels: { base: kw.channel_base, max: kw.channel_max }, mbstd_group_size: kw.epilogue_kwargs.mbstd_group_size },
  }));
  const want = trainable(readSafetensors(join(GOLDEN, 'd_sg2_16_params.safetensors')));
  t.deepEqual(discriminatorParams(plan).map((p) => [p.name, p.shape]), want);
  t.is(plan.cost.params.d, want.reduce((a, [, s]) => a + numel(s), 0));
  t.deepEqual(plan.discriminator.channels, g.channels_per_resolution);
  t.deepEqual(plan.discriminator.epilogue.mbstd, { group_size: 4, num_channels: 1 });
});
