/**
 * The generators against the official goldens, through the public API (src/index.ts), on wasm and
 * cpu: ws, ws_psi0.7, img, img_psi0.7, img_ws_mixed (wasm only: cpu is slow), every stored act.*
 * (sample 0) and every stats.* (all samples), at the tolerances the golden JSON suggests.
 */
import test from 'ava';
import { buildGenerator, loadNetwork, tf, type Generator } from '../../src/index.ts';
import { readGoldenJson } from '../_golden.ts';
import { BACKENDS, channelStats, goldenFile, goldenPath, goldenPlan, maxAbsDiff, stored, tolEntry, useBackend } from './_helpers.ts';

interface Case { golden: string; params: string; noiseMode: 'const' | 'none'; transform?: boolean }
const CASES: Case[] = [
  { golden: 'g_sg3_T16', params: 'g_sg3_T16_params.safetensors', noiseMode: 'const' },
  { golden: 'g_sg3_R16', params: 'g_sg3_R16_params.safetensors', noiseMode: 'const' },
  { golden: 'g_sg3_T16_transform', params: 'g_sg3_T16_params.safetensors', noiseMode: 'const', transform: true },
  { golden: 'g_sg2_16_nonoise', params: 'g_sg2_16_nonoise_params.safetensors', noiseMode: 'none' },
];

function loadGolden(c: Case): Generator {
  const G = buildGenerator(goldenPlan(c.golden), { seed: 123 });
  loadNetwork(G, goldenPath(c.params));
  if (c.transform) G.setInputTransform(readGoldenJson<{ transform: number[][] }>(`${c.golden}.json`).transform);
  return G;
}

for (const backend of BACKENDS) {
  for (const c of CASES) {
    test.serial(`backend=${backend} golden=${c.golden}: mapping, synthesis, activations and stats`, async (t) => {
      await useBackend(backend);
      const G = loadGolden(c);
      const io = `${c.golden}_io.safetensors`;
      const check = (name: string, got: tf.Tensor, tol: number) => {
        const want = stored(io, name);
        t.deepEqual(got.shape, want.shape, name);
        const diff = maxAbsDiff(got, want);
        t.true(diff <= tol, `${name}: max abs diff ${diff} > tol ${tol}`);
        want.dispose();
      };
      const z = stored(io, 'z') as tf.Tensor2D;
      check('ws', G.mapping(z, null), tolEntry(c.golden, 'ws').suggested_abs_tol);
      check('ws_psi0.7', G.mapping(z, null, { truncationPsi: 0.7 }), tolEntry(c.golden, 'ws_psi0.7').suggested_abs_tol);
      const acts = new Map<string, tf.Tensor>();
      check('img', G.synthesis(stored(io, 'ws') as tf.Tensor3D, { noiseMode: c.noiseMode, activations: acts }), tolEntry(c.golden, 'img').suggested_abs_tol);
      // The plain-JS cpu backend is slow (seconds per synthesis): it checks img, act.* and stats.*; wasm checks all.
      if (backend === 'wasm') {
        check('img_psi0.7', G.synthesis(stored(io, 'ws_psi0.7') as tf.Tensor3D, { noiseMode: c.noiseMode }), tolEntry(c.golden, 'img_psi0.7').suggested_abs_tol);
        check('img_ws_mixed', G.synthesis(stored(io, 'ws_mixed') as tf.Tensor3D, { noiseMode: c.noiseMode }), tolEntry(c.golden, 'img_ws_mixed').suggested_abs_tol);
      }
      // Every module the JSON lists must have been recorded; act.* where stored, stats.* always.
      const modules = readGoldenJson<{ modules: { name: string }[] }>(`${c.golden}.json`).modules.map((m) => m.name);
      t.deepEqual(modules.filter((m) => !acts.has(m)), [], 'modules not recorded');
      const keys = [...goldenFile(io).tensors.keys()];
      for (const m of modules) {
        const e = tolEntry(c.golden, `act.${m} (all samples)`);
        const x = acts.get(m)!;
        if (keys.includes(`act.${m}`)) check(`act.${m}`, tf.slice(x, [0, 0, 0, 0], [1, -1, -1, -1]), e.suggested_abs_tol);
        // Means of the activation inherit its tolerance; mean squares scale it by 2 |x|.
        const { mean, meansq } = channelStats(x);
        check(`stats.${m}.mean`, mean, e.suggested_abs_tol);
        check(`stats.${m}.meansq`, meansq, e.suggested_abs_tol * (2 * e.max_abs_value + e.suggested_abs_tol));
      }
      t.true(keys.filter((k) => k.startsWith('act.')).every((k) => acts.has(k.slice(4))), 'every stored act.* was checked');
      for (const x of acts.values()) x.dispose();
      G.dispose();
    });
  }
}
