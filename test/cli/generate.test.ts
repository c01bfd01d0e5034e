/**
 * `sg3 generate` end to end through the real program (main()): on the golden T16 weights (the
 * config row T, smoke profile, with the golden channel base) the float output equals the official
 * G(z) for the golden z, with and without truncation and with the golden input transform given as
 * --translate/--rotate; PNGs are gen_images' 8-bit conversion of the same floats; sg3's own
 * checkpoints (G_ema) work; a wrong config fails with one line listing keys; bad flags exit 2.
 */
import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { runMain as run } from './_main.ts';
import { buildDiscriminator, buildGenerator, readSafetensors, saveCheckpoint, seedsToZ, tf, getF32 } from '../../src/index.ts';
import { toUint8Nhwc } from '../../src/nets/sample.ts';
import { readGoldenJson } from '../_golden.ts';
import { goldenConfigFile, goldenPath, goldenPlan, goldenSets, maxAbsDiff, stored, tolEntry, useBackend } from '../nets/_helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'sg3-generate-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

/** The config flags that make configs/stylegan3-t.yaml the golden T16 network. */
function t16Flags(): string[] {
  return ['--config', goldenConfigFile('g_sg3_T16'), '--profile', 'smoke', ...goldenSets('g_sg3_T16').flatMap((s) => ['--set', s])];
}

function tensorOf(file: string, name: string): tf.Tensor {
  const t = getF32(readSafetensors(file), name, file);
  return tf.tensor(t.data, t.shape);
}

test.serial('golden T16 weights: --z gives the official img and ws, with and without truncation', async (t) => {
  const io = 'g_sg3_T16_io.safetensors';
  for (const [trunc, img, ws] of [['1', 'img', 'ws'], ['0.7', 'img_psi0.7', 'ws_psi0.7']] as const) {
    const out = join(dir, `t16-${trunc}.safetensors`);
    const r = await run(['generate', ...t16Flags(), '--weights', goldenPath('g_sg3_T16_params.safetensors'), '--z', goldenPath(io), '--trunc', trunc, '--out', out, '--backend', 'wasm']);
    t.is(r.code, 0, r.err);
    t.regex(r.err, /^sg3 generate: backend wasm \(@tensorflow\/tfjs-backend-wasm/);
    t.true(maxAbsDiff(tensorOf(out, 'img'), stored(io, img)) <= tolEntry('g_sg3_T16', img).suggested_abs_tol, img);
    t.true(maxAbsDiff(tensorOf(out, 'ws'), stored(io, ws)) <= tolEntry('g_sg3_T16', ws).suggested_abs_tol, ws);
  }
});

test.serial('golden T16 transform: --translate/--rotate (gen_images make_transform, inverted) reproduce g_sg3_T16_transform', async (t) => {
  // The stored transform M is the inverse; gen_images takes m = inv(M): translate = m[:2, 2], angle = atan2(m01, m00).
  const M: number[][] = readGoldenJson('g_sg3_T16_transform.json').transform;
  const [a, b, c, d] = [M[0]![0]!, M[0]![1]!, M[1]![0]!, M[1]![1]!];
  const det = a * d - b * c;
  const inv = [[d / det, -b / det], [-c / det, a / det]];
  const tx = -(inv[0]![0]! * M[0]![2]! + inv[0]![1]! * M[1]![2]!);
  const ty = -(inv[1]![0]! * M[0]![2]! + inv[1]![1]! * M[1]![2]!);
  const deg = (Math.atan2(inv[0]![1]!, inv[0]![0]!) * 180) / Math.PI;
  const out = join(dir, 't16-transform.safetensors');
  const r = await run(['generate', ...t16Flags(), '--weights', goldenPath('g_sg3_T16_params.safetensors'), '--z', goldenPath('g_sg3_T16_transform_io.safetensors'),
    '--translate', `${tx},${ty}`, '--rotate', String(deg), '--out', out, '--backend', 'wasm']);
  t.is(r.code, 0, r.err);
  const diff = maxAbsDiff(tensorOf(out, 'img'), stored('g_sg3_T16_transform_io.safetensors', 'img'));
  t.true(diff <= tolEntry('g_sg3_T16_transform', 'img').suggested_abs_tol, `max abs diff ${diff}`);
});

test.serial('--seeds to PNGs: one file per seed and a grid, pixels = gen_images conversion of the float images', async (t) => {
  const common = [...t16Flags(), '--weights', goldenPath('g_sg3_T16_params.safetensors'), '--seeds', '3-5,9', '--backend', 'wasm'];
  const pngDir = join(dir, 'png');
  const r = await run(['generate', ...common, '--out', pngDir]);
  t.is(r.code, 0, r.err);
  t.deepEqual(readdirSync(pngDir).sort(), ['grid.png', 'seed0003.png', 'seed0004.png', 'seed0005.png', 'seed0009.png']);
  const floats = join(dir, 'seeds.safetensors');
  t.is((await run(['generate', ...common, '--out', floats])).code, 0);
  const st = readSafetensors(floats);
  t.deepEqual(Array.from(getF32(st, 'z').data), Array.from(seedsToZ([3, 4, 5, 9], 32)));
  const img = getF32(st, 'img');
  const bytes = toUint8Nhwc(img.data, img.shape as [number, number, number, number]);
  const png = PNG.sync.read(readFileSync(join(pngDir, 'seed0005.png')));
  t.is(png.width, 16);
  const rgb = Uint8Array.from({ length: 16 * 16 * 3 }, (_, i) => png.data[Math.floor(i / 3) * 4 + (i % 3)]!);
  t.deepEqual(rgb, bytes.subarray(2 * 768, 3 * 768));
  const grid = PNG.sync.read(readFileSync(join(pngDir, 'grid.png')));
  t.deepEqual([grid.width, grid.height], [32, 32]);
});

test.serial('weights written by sg3 itself: a G/G_ema/D checkpoint generates with G_ema', async (t) => {
  await useBackend('wasm');
  const plan = goldenPlan('g_sg3_T16');
  const G = buildGenerator(plan, { seed: 1 }), Gema = buildGenerator(plan, { seed: 2 }), D = buildDiscriminator(plan, { seed: 3 });
  const ckpt = join(dir, 'ckpt.safetensors');
  saveCheckpoint(ckpt, { G, G_ema: Gema, D });
  const out = join(dir, 'ckpt-out.safetensors');
  const r = await run(['generate', ...t16Flags(), '--weights', ckpt, '--seeds', '0-1', '--out', out, '--backend', 'wasm']);
  t.is(r.code, 0, r.err);
  const want = Gema.synthesis(Gema.mapping(tf.tensor2d(seedsToZ([0, 1], 32), [2, 32])), { noiseMode: 'const' });
  t.is(maxAbsDiff(tensorOf(out, 'img'), want), 0);
});

test.serial('a weight file for another config: exit 1, one line listing the keys, no stack', async (t) => {
  const r = await run(['generate', '--config', goldenConfigFile('g_sg3_R16'), '--profile', 'smoke', '--weights', goldenPath('g_sg3_T16_params.safetensors'),
    '--seeds', '0', '--out', join(dir, 'x.safetensors'), '--backend', 'cpu']);
  t.is(r.code, 1);
  const lines = r.err.trim().split('\n');
  t.is(lines.length, 2, r.err); // the backend line, then the error
  t.regex(lines[1]!, /weights do not match the generator of this config \(\d+ problems\): .*synthesis\.L0_\d+_\d+\.weight: shape \[\d+,\d+,3,3\], expected \[\d+,\d+,1,1\]/);
  t.false(r.err.includes('    at '), 'no stack trace');
});

test.serial('bad flags exit 2 with one line', async (t) => {
  const base = [...t16Flags(), '--weights', goldenPath('g_sg3_T16_params.safetensors'), '--out', join(dir, 'y')];
  const cases: [string[], string][] = [
    [['--seeds', '0', '--z', 'z.safetensors'], 'sg3 generate: give exactly one of --seeds and --z\n'],
    [[], 'sg3 generate: give exactly one of --seeds and --z\n'],
    [['--seeds', '0-x'], 'sg3 generate: --seeds must be comma-separated integers or ranges like 0-7 (got 0-x)\n'],
    [['--seeds', '0,4294967296'], 'sg3 generate: --seeds: numpy\'s RandomState takes seeds 0 to 4294967295 (got 4294967296)\n'],
    [['--seeds', '4294967295-4294967296'], 'sg3 generate: --seeds: numpy\'s RandomState takes seeds 0 to 4294967295 (got 4294967296)\n'],
    [['--seeds', '-1'], 'sg3 generate: --seeds: numpy\'s RandomState takes seeds 0 to 4294967295 (got -1)\n'],
    [['--seeds', '0', '--noise-mode', 'loud'], 'sg3 generate: --noise-mode must be one of const, random, none (got loud)\n'],
    [['--seeds', '0', '--translate', '0.1'], 'sg3 generate: --translate must be two numbers x,y (got 0.1)\n'],
    [['--seeds', '0', '--backend', 'gpu'], 'sg3 generate: --backend must be one of auto, tensorflow-gpu, tensorflow, wasm, cpu (got gpu)\n'],
  ];
  for (const [extra, err] of cases) {
    const r = await run(['generate', ...base, ...extra]);
    t.is(r.code, 2, extra.join(' '));
    t.is(r.err, err);
  }
});
