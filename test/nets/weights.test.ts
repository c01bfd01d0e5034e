/**
 * Weights in and out: build -> save -> load into a differently seeded network -> identical outputs
 * (single-network files and G/G_ema/D checkpoints); golden params -> load -> save reproduces every
 * tensor and the official key order; a weight file for another config fails with ONE error that
 * lists the missing, unexpected and mis-shaped keys.
 */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildDiscriminator, buildGenerator, loadCheckpoint, loadNetwork, readSafetensors, RunError, saveCheckpoint, saveNetwork, tf,
} from '../../src/index.ts';
import { goldenPath, goldenPlan, useBackend } from './_helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'sg3-weights-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
test.before(async () => { await useBackend('wasm'); });

function sameValues(a: tf.Tensor, b: tf.Tensor): boolean {
  const x = a.dataSync(), y = b.dataSync();
  return x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
}

test.serial('round trip: G and D saved and loaded into other seeds give bit-identical outputs', async (t) => {
  const plan = goldenPlan('g_sg3_T16');
  const G1 = buildGenerator(plan, { seed: 1 });
  const D1 = buildDiscriminator(plan, { seed: 1 });
  const z = tf.randomNormal([2, plan.mapping.z_dim], 0, 1, 'float32', 5) as tf.Tensor2D;
  // Make the buffers non-trivial so that a loader which skipped them would be caught.
  G1.forward(z, null, { updateEmas: true });
  saveNetwork(join(dir, 'G.safetensors'), G1);
  saveNetwork(join(dir, 'D.safetensors'), D1);
  const G2 = buildGenerator(plan, { seed: 2, weights: join(dir, 'G.safetensors') });
  const D2 = buildDiscriminator(plan, { seed: 2, weights: join(dir, 'D.safetensors') });
  const img1 = G1.forward(z), img2 = G2.forward(z);
  t.true(sameValues(img1, img2));
  t.true(sameValues(D1.forward(img1), D2.forward(img1)));
  t.false(sameValues(buildGenerator(plan, { seed: 2 }).forward(z), img1), 'a different seed gives a different network');
  for (const [a, b] of [[G1, G2], [D1, D2]] as const) {
    for (const e of a.state.entries()) t.true(sameValues(e.variable, b.state.get(e.name)), e.name);
  }
});

test.serial('checkpoint: G, G_ema and D in one file with prefixes; each loads back; G_ema preferred for inference', async (t) => {
  const plan = goldenPlan('g_sg3_T16');
  const G = buildGenerator(plan, { seed: 1 });
  const Gema = buildGenerator(plan, { seed: 3 });
  const D = buildDiscriminator(plan, { seed: 4 });
  const file = join(dir, 'ckpt.safetensors');
  saveCheckpoint(file, { G, G_ema: Gema, D }, { kimg: '12' });
  const st = readSafetensors(file);
  t.is(st.metadata.networks, 'G,G_ema,D');
  t.is(st.metadata.kimg, '12');
  t.true(st.tensors.has('G.mapping.w_avg') && st.tensors.has('G_ema.synthesis.input.freqs') && st.tensors.has('D.b4.out.bias'));
  const G2 = buildGenerator(plan, { seed: 9 }), Gema2 = buildGenerator(plan, { seed: 9 }), D2 = buildDiscriminator(plan, { seed: 9 });
  loadCheckpoint(file, { G: G2, G_ema: Gema2, D: D2 });
  const z = tf.randomNormal([2, plan.mapping.z_dim], 0, 1, 'float32', 6) as tf.Tensor2D;
  t.true(sameValues(G2.forward(z), G.forward(z)));
  t.true(sameValues(Gema2.forward(z), Gema.forward(z)));
  t.true(sameValues(D2.forward(G.forward(z)), D.forward(G.forward(z))));
  t.true(sameValues(buildGenerator(plan, { weights: file }).forward(z), Gema.forward(z)), 'inference takes G_ema');
  t.true(sameValues(buildDiscriminator(plan, { weights: file }).forward(G.forward(z)), D.forward(G.forward(z))));
  t.throws(() => loadNetwork(buildGenerator(plan), file), { instanceOf: RunError, message: /checkpoint of G, G_ema, D; name the network/ });
});

for (const [golden, params] of [
  ['g_sg3_T16', 'g_sg3_T16_params'], ['g_sg3_R16', 'g_sg3_R16_params'], ['g_sg2_16_nonoise', 'g_sg2_16_nonoise_params'], ['d_sg2_16', 'd_sg2_16_params'],
] as const) {
  test.serial(`golden=${params}: load then save reproduces every tensor, bit for bit, in the official key order`, async (t) => {
    const plan = goldenPlan(golden);
    const file = goldenPath(`${params}.safetensors`);
    const net = golden.startsWith('d_') ? buildDiscriminator(plan, { weights: file }) : buildGenerator(plan, { weights: file });
    const out = join(dir, `${params}.safetensors`);
    saveNetwork(out, net);
    const want = readSafetensors(file).tensors;
    const got = readSafetensors(out).tensors;
    t.deepEqual([...got.keys()], [...want.keys()]);
    for (const [k, v] of want) {
      t.deepEqual(got.get(k)!.shape, v.shape, k);
      t.true(Buffer.from((got.get(k)!.data as Float32Array).buffer).equals(Buffer.from((v.data as Float32Array).buffer)), `${k} bytes`);
    }
  });
}

test.serial('wrong config: one RunError listing missing, unexpected and mis-shaped keys', async (t) => {
  // The T16 weights into an R16 generator (1x1 convs, radial filters) with more channels.
  const plan = goldenPlan('g_sg3_R16');
  const err = t.throws(() => buildGenerator(plan, { weights: goldenPath('g_sg2_16_nonoise_params.safetensors') }), { instanceOf: RunError })!;
  t.regex(err.message, /weights do not match the generator of this config \(\d+ problems\)/);
  t.regex(err.message, /missing synthesis\.input\.weight \[32,32\]/);
  t.regex(err.message, /unexpected synthesis\.b4\.const \[32,4,4\]/);
  t.false(err.message.includes('\n'), 'one line');
  const err2 = t.throws(() => buildGenerator(plan, { weights: goldenPath('g_sg3_T16_params.safetensors') }), { instanceOf: RunError })!;
  t.regex(err2.message, /synthesis\.L0_36_32\.weight: shape \[32,32,3,3\], expected \[32,32,1,1\]/);
  t.regex(err2.message, /synthesis\.L0_36_32\.down_filter: shape \[12\], expected \[12,12\]/);
});

test.serial('wrong config with equal shapes: filter taps that differ from the plan are reported', async (t) => {
  // T16 weights into a T16 whose filters are designed for another stopband: same shapes, other taps.
  const base = goldenPlan('g_sg3_T16');
  const plan = structuredClone(base);
  plan.synthesis.layers[0]!.up_filter = (plan.synthesis.layers[0]!.up_filter as number[]).map((v, i) => v + (i === 0 ? 1e-3 : 0));
  const err = t.throws(() => buildGenerator(plan, { weights: goldenPath('g_sg3_T16_params.safetensors') }), { instanceOf: RunError })!;
  t.regex(err.message, /synthesis\.L0_36_32\.up_filter: filter taps differ from the plan's/);
  t.notThrows(() => buildGenerator(base, { weights: goldenPath('g_sg3_T16_params.safetensors') }));
});
