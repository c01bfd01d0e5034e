/**
 * `sg3 generate --config C --weights W (--seeds 0-7,12 | --z Z.safetensors) --out PATH`: images
 * from a trained generator, as the official gen_images.py (G_ema of a checkpoint, truncation,
 * noise mode, translate/rotate through the input transform). PATH is a folder (one PNG per seed
 * plus grid.png) or a .safetensors file (float `img` NCHW after output scale, `ws`, `z`).
 * `--seeds` draws z as gen_images.py does (numpy's RandomState(seed).randn, src/nets/latents.ts).
 *
 * tfjs (~1.5 s to import) and the generator are imported inside the action, after every flag and
 * the config are checked: `sg3 generate --help` and usage errors never load them.
 */
import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type BackendName } from '../config/index.ts';
import { ConfigError, RunError, UsageError } from '../errors.ts';
import { NUMPY_MAX_SEED, isNumpySeed } from '../io/numpy-random.ts';
import { getF32, readSafetensors, writeSafetensors } from '../io/safetensors.ts';
import { makeTransform, seedsToZ } from '../nets/latents.ts';
import type { NoiseMode } from '../nets/index.ts';
import { planExperiment, planProblems } from '../plan/index.ts';
import { addConfigOptions, BACKEND_NAMES, type ConfigFlags } from './options.ts';

interface GenerateFlags extends ConfigFlags {
  config: string; weights: string; seeds?: string; z?: string; trunc: string; noiseMode: string;
  translate: string; rotate: string; out: string; backend?: string;
}

const NOISE_MODES = ['const', 'random', 'none'];
export function registerGenerate(program: Command): void {
  const command = program.command('generate')
    .description('generate images from a trained generator (official gen_images.py semantics)')
    .requiredOption('--config <file>', 'the YAML config the weights were trained with')
    .requiredOption('--weights <file>', 'generator weights (.safetensors: a state_dict, or a checkpoint: G_ema, else G)')
    .option('--seeds <list>', 'seeds in [0, 2^32-1], e.g. 0-7,12; z as gen_images.py: numpy\'s RandomState(seed).randn(z_dim)')
    .option('--z <file>', '.safetensors with a tensor `z` [N, z_dim] (instead of --seeds)')
    .option('--trunc <psi>', 'truncation psi', '1')
    .option('--noise-mode <mode>', 'const | random | none (StyleGAN2 noise, rows A-B)', 'const')
    .option('--translate <x,y>', 'translate the output, in fractions of the image (through the input transform)', '0,0')
    .option('--rotate <deg>', 'rotate the output by this many degrees', '0')
    .requiredOption('--out <path>', 'a folder for PNGs, or a path ending in .safetensors for float images')
    .option('--backend <name>', `tfjs backend: ${BACKEND_NAMES.join(' | ')} (default: the config's runtime.backend)`);
  addConfigOptions(command)
    .addHelpText('after', [
      '',
      'Examples:',
      '  sg3 generate --config configs/stylegan3-t.yaml --weights G.safetensors --seeds 0-7 --out out/',
      '  sg3 generate --config configs/stylegan3-r.yaml --weights ckpt.safetensors --seeds 2 --trunc 0.7 --rotate 20 --out out/',
      '  sg3 generate --config configs/stylegan3-t.yaml --profile smoke --weights G.safetensors --z z.safetensors --out img.safetensors',
    ].join('\n'))
    .action((flags: GenerateFlags) => runGenerate(flags));
}

/**
 * gen_images.parse_range: '1,2,5-10' -> [1, 2, 5, 6, 7, 8, 9, 10]. A single integer may be negative
 * (as Python's int() reads it) so that it meets numpy's range check below rather than a syntax error.
 */
export function parseSeeds(s: string): number[] {
  const out: number[] = [];
  for (const part of s.split(',')) {
    const range = /^(\d+)-(\d+)$/.exec(part.trim());
    if (range) {
      const [a, b] = [Number(range[1]), Number(range[2])];
      if (b < a || b - a > 100000) throw new UsageError(`sg3 generate: --seeds: bad range (got ${part})`);
      for (let i = a; i <= b; i++) out.push(i);
    } else if (/^-?\d+$/.test(part.trim())) {
      out.push(Number(part));
    } else {
      throw new UsageError(`sg3 generate: --seeds must be comma-separated integers or ranges like 0-7 (got ${s})`);
    }
  }
  const bad = out.find((seed) => !isNumpySeed(seed));
  if (bad !== undefined) throw new UsageError(`sg3 generate: --seeds: numpy's RandomState takes seeds 0 to ${NUMPY_MAX_SEED} (got ${bad})`);
  return out;
}

function parseNumber(flag: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`sg3 generate: ${flag} must be a number (got ${v})`);
  return n;
}

function parseVec2(flag: string, v: string): [number, number] {
  const parts = v.split(',');
  if (parts.length !== 2) throw new UsageError(`sg3 generate: ${flag} must be two numbers x,y (got ${v})`);
  return [parseNumber(flag, parts[0]!), parseNumber(flag, parts[1]!)];
}

/** z [N, z_dim] from --z or the parsed --seeds; labels name the PNG files. */
function latents(seeds: number[] | null, zFile: string | undefined, zDim: number): { z: Float32Array; labels: string[] } {
  if (seeds) return { z: seedsToZ(seeds, zDim), labels: seeds.map((s) => `seed${String(s).padStart(4, '0')}`) };
  const t = getF32(readSafetensors(zFile!), 'z', zFile!);
  if (t.shape.length !== 2 || t.shape[1] !== zDim || t.shape[0]! < 1) throw new RunError(`${zFile}: z must be [N, ${zDim}] (got [${t.shape}])`);
  return { z: t.data, labels: Array.from({ length: t.shape[0]! }, (_, i) => `z${String(i).padStart(4, '0')}`) };
}

/** Every flag checked before anything is loaded (a usage error never waits for a backend). */
function parseFlags(flags: GenerateFlags) {
  if ((flags.seeds === undefined) === (flags.z === undefined)) throw new UsageError('sg3 generate: give exactly one of --seeds and --z');
  const seeds = flags.seeds !== undefined ? parseSeeds(flags.seeds) : null;
  const psi = parseNumber('--trunc', flags.trunc);
  if (!NOISE_MODES.includes(flags.noiseMode)) throw new UsageError(`sg3 generate: --noise-mode must be one of ${NOISE_MODES.join(', ')} (got ${flags.noiseMode})`);
  const translate = parseVec2('--translate', flags.translate);
  const rotate = parseNumber('--rotate', flags.rotate);
  if (flags.backend !== undefined && !BACKEND_NAMES.includes(flags.backend as BackendName)) {
    throw new UsageError(`sg3 generate: --backend must be one of ${BACKEND_NAMES.join(', ')} (got ${flags.backend})`);
  }
  return { seeds, psi, noiseMode: flags.noiseMode as NoiseMode, translate, rotate };
}

async function runGenerate(flags: GenerateFlags): Promise<void> {
  const f = parseFlags(flags);
  const cfg = loadConfig(flags.config, { set: flags.set ?? [], profile: flags.profile ?? null });
  const problems = planProblems(cfg);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `${flags.config}: ${p}`));
  const plan = planExperiment(cfg);
  const moved = f.translate[0] !== 0 || f.translate[1] !== 0 || f.rotate !== 0;
  if (moved && plan.synthesis.input.kind !== 'fourier') {
    throw new UsageError('sg3 generate: --translate/--rotate need a Fourier-feature input (config row B on) (got generator.input.kind constant)');
  }
  const [{ describeBackend, initBackend }, { buildGenerator }, { sampleImages }] = await Promise.all([
    import('../backend/index.ts'), import('../nets/index.ts'), import('../nets/sample.ts'),
  ]);
  const backend = await initBackend((flags.backend ?? cfg.runtime.backend) as BackendName);
  process.stderr.write(`sg3 generate: backend ${describeBackend(backend)}\n`);
  const { z, labels } = latents(f.seeds, flags.z, plan.mapping.z_dim);
  const G = buildGenerator(plan, { weights: flags.weights });
  if (plan.synthesis.input.kind === 'fourier') G.setInputTransform(makeTransform(f.translate, f.rotate));
  const s = sampleImages(G, z, { truncationPsi: f.psi, noiseMode: f.noiseMode });
  G.dispose();
  if (flags.out.endsWith('.safetensors')) {
    writeSafetensors(flags.out, {
      img: { dtype: 'F32', shape: s.imgShape, data: s.img },
      ws: { dtype: 'F32', shape: s.wsShape, data: s.ws },
      z: { dtype: 'F32', shape: [s.n, plan.mapping.z_dim], data: z },
    }, { format: 'sg3-generate', config: cfg.name, trunc: String(f.psi), noise_mode: f.noiseMode, ...(f.seeds ? { seeds: f.seeds.join(',') } : {}) });
    process.stdout.write(`sg3 generate: wrote ${s.n} images (img [${s.imgShape}], ws [${s.wsShape}]) to ${flags.out}\n`);
    return;
  }
  await writePngs(flags.out, s.img, s.imgShape, labels);
  process.stdout.write(`sg3 generate: wrote ${s.n} images and grid.png (${s.imgShape[3]}x${s.imgShape[2]}) to ${flags.out}\n`);
}

async function writePngs(dir: string, img: Float32Array, shape: [number, number, number, number], labels: string[]): Promise<void> {
  const [{ tileGrid, toUint8Nhwc }, { encodePng }] = await Promise.all([import('../nets/sample.ts'), import('../log/png.ts')]);
  const [n, c, h, w] = shape;
  const bytes = toUint8Nhwc(img, shape);
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < n; i++) writeFileSync(join(dir, `${labels[i]}.png`), encodePng(bytes.subarray(i * h * w * c, (i + 1) * h * w * c), w, h, c));
  const grid = tileGrid(bytes, n, h, w, c);
  writeFileSync(join(dir, 'grid.png'), encodePng(grid.pixels, grid.width, grid.height, c));
}
