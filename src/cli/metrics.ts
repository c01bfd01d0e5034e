/**
 * `sg3 metrics`: the paper's metrics of a generator, as the official calc_metrics.py.
 *
 *   sg3 metrics --config C [--set k=v] [--profile P] --weights W --metrics eqt50k_int,eqr50k [--num N] [--seed S] [--json]
 *   sg3 metrics --run runs/00012-x [--checkpoint K] --metrics ...     (G_ema; config and plan from the run)
 *   sg3 metrics --config C --weights W --z Z.safetensors --transforms T.json [--json]
 *
 * The first two draw z and transforms from the seed (same seed, same value); the third runs the
 * given latents and transforms (one per row of z) and reports per-sample error and mask sums.
 * Every flag and metric name is checked before the backend starts.
 *
 * tfjs (~1.5 s to import) comes with the backend, the metric registry, nets/ and metrics/: all are
 * imported inside the action, so `sg3 metrics --help` and flag or metric-name errors never load them
 * (the names come from metrics/names.ts, which has no tfjs).
 */
import type { Command } from 'commander';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, type BackendName, type ResolvedConfig } from '../config/index.ts';
import { openDataset } from '../data/index.ts';
import { ConfigError, RunError, UsageError } from '../errors.ts';
import { getF32, readSafetensors } from '../io/safetensors.ts';
import { resolveInceptionPath } from '../metrics/inception/weights.ts';
import type { GeneratorMetricResult } from '../metrics/generator-metrics.ts';
import type { ExplicitEqResults, ExplicitTransforms } from '../metrics/explicit.ts';
import { isValidMetric, listMetrics, resolveMetric, type MetricSpec } from '../metrics/names.ts';
import type { Generator } from '../nets/index.ts';
import { parsePlan, planExperiment, planProblems, type Plan } from '../plan/index.ts';
import { latestCheckpoint, listCheckpoints, readCheckpoint } from '../train/run/index.ts';
import { addConfigOptions, BACKEND_NAMES, type ConfigFlags } from './options.ts';

interface MetricsFlags extends ConfigFlags {
  config?: string; weights?: string; run?: string; checkpoint?: string; z?: string; transforms?: string;
  metrics?: string; num?: string; seed: string; batch: string; json?: boolean; backend?: string;
}

const WHERE = 'sg3 metrics';

export function registerMetrics(program: Command): void {
  const command = program.command('metrics')
    .description('EQ-T, EQ-T_frac, EQ-R, FID, KID and SWD of a generator (official calc_metrics.py semantics)')
    .option('--config <file>', 'the YAML config the weights were trained with')
    .option('--weights <file>', 'generator weights (.safetensors: a state_dict, or a checkpoint: G_ema, else G)')
    .option('--run <dir>', 'a run directory: G_ema of its latest (or --checkpoint) checkpoint, with its own config and plan')
    .option('--checkpoint <label>', 'with --run: the checkpoint label (e.g. 000040)')
    .option('--metrics <list>', `comma-separated metric names (default: the config's metrics.names); valid: ${listMetrics().join(', ')}`)
    .option('--num <n>', 'samples per metric (renames it <family>@N; default: the config\'s metrics.num)')
    .option('--seed <s>', 'seed of z, noise, transforms, KID subsets and SWD draws', '0')
    .option('--batch <n>', 'images per generator forward for FID/KID/SWD (EQ uses the official batch of 4)', '16')
    .option('--z <file>', '.safetensors with a tensor `z` [N, z_dim]: explicit latents (with --transforms)')
    .option('--transforms <file>', 'JSON {"int_t": [[tx, ty], ...], "frac_t": [[tx, ty], ...], "rot_angle": [a, ...]}, one entry per row of z')
    .option('--json', 'print one JSON object instead of text')
    .option('--backend <name>', `tfjs backend: ${BACKEND_NAMES.join(' | ')} (default: the config's runtime.backend)`);
  addConfigOptions(command)
    .addHelpText('after', [
      '',
      'Translations are fractions of the image size (positive = right/down), angles radians; the',
      'generator\'s input transform receives the inverse, as the official metric does.',
      '',
      'Examples:',
      '  sg3 metrics --config configs/stylegan3-t.yaml --profile smoke --weights G.safetensors --metrics eqt50k_int,eqt50k_frac,eqr50k --num 64',
      '  sg3 metrics --run runs/00012-stylegan3-r --metrics eqr50k,fid50k_full --json',
      '  sg3 metrics --config configs/stylegan3-t.yaml --weights G.safetensors --z z.safetensors --transforms t.json --json',
    ].join('\n'))
    .action((flags: MetricsFlags) => runMetrics(flags));
}

function positiveInt(flag: string, v: string, min: number): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < min) throw new UsageError(`${WHERE}: ${flag} must be an integer >= ${min} (got ${v})`);
  return n;
}

/** An unknown name lists the valid ones (exit 2), prefixed like every verb's usage errors. */
function checkNames(names: string[], source: string): void {
  const unknown = names.find((n) => !isValidMetric(n));
  if (unknown !== undefined) throw new UsageError(`${WHERE}: ${source}: unknown metric "${unknown}" (valid: ${listMetrics().join(', ')})`);
}

interface Checked { explicit: boolean; names: string[] | null; num: number | null; seed: number; batch: number }

/** Every usage rule, --metrics names included, before any file is read. */
export function checkMetricsFlags(flags: MetricsFlags): Checked {
  const bad = (msg: string) => new UsageError(`${WHERE}: ${msg}`);
  if ((flags.config === undefined) === (flags.run === undefined)) throw bad('give exactly one of --config (with --weights) and --run');
  if (flags.run !== undefined) {
    const extra = [flags.weights && '--weights', flags.set?.length && '--set', flags.profile && '--profile'].filter(Boolean);
    if (extra.length > 0) throw bad(`--run takes the config and weights from the run directory; drop ${extra.join(', ')}`);
  } else {
    if (flags.weights === undefined) throw bad('--config needs --weights');
    if (flags.checkpoint !== undefined) throw bad('--checkpoint needs --run');
  }
  const explicit = flags.z !== undefined || flags.transforms !== undefined;
  if (explicit && (flags.z === undefined || flags.transforms === undefined)) throw bad('--z and --transforms go together');
  if (explicit && (flags.metrics !== undefined || flags.num !== undefined)) throw bad('--z/--transforms compute the given transforms; drop --metrics/--num');
  if (flags.backend !== undefined && !(BACKEND_NAMES as readonly string[]).includes(flags.backend)) {
    throw bad(`--backend must be one of ${BACKEND_NAMES.join(', ')} (got ${flags.backend})`);
  }
  const seed = Number(flags.seed);
  if (flags.seed.trim() === '' || !Number.isInteger(seed)) throw bad(`--seed must be an integer (got ${flags.seed})`);
  const num = flags.num === undefined ? null : positiveInt('--num', flags.num, 2);
  const names = flags.metrics === undefined ? null : flags.metrics.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names !== null) checkNames(names, '--metrics');
  return { explicit, names, num, seed, batch: positiveInt('--batch', flags.batch, 1) };
}

interface Source { config: ResolvedConfig; plan: Plan; G: () => Promise<Generator>; describe: Record<string, string> }

function fromConfig(flags: MetricsFlags): Source {
  const config = loadConfig(flags.config!, { set: flags.set ?? [], profile: flags.profile ?? null });
  const problems = planProblems(config);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `${flags.config}: ${p}`));
  const plan = planExperiment(config);
  const G = async () => (await import('../nets/index.ts')).buildGenerator(plan, { weights: flags.weights! });
  return { config, plan, G, describe: { config: flags.config!, weights: flags.weights! } };
}

/** A run directory read without its lock (nothing is written): config.yaml, plan.json, a checkpoint's G_ema. */
function fromRun(flags: MetricsFlags): Source {
  const dir = resolve(flags.run!);
  if (!existsSync(join(dir, 'run.json'))) throw new RunError(`${WHERE}: --run: not an sg3 run directory (got ${flags.run}: no run.json)`);
  const config = loadConfig(join(dir, 'config.yaml'));
  const plan = parsePlan(readFileSync(join(dir, 'plan.json'), 'utf8'), join(dir, 'plan.json'));
  let ref = flags.checkpoint === undefined ? latestCheckpoint(dir) : null;
  if (flags.checkpoint !== undefined) {
    const all = listCheckpoints(dir);
    ref = all.find((r) => r.label === flags.checkpoint || (/^\d+$/.test(flags.checkpoint!) && Number(r.label) === Number(flags.checkpoint))) ?? null;
    if (!ref) throw new RunError(`${WHERE}: --checkpoint: no checkpoint ${flags.checkpoint} in ${flags.run} (got ${all.map((r) => r.label).join(', ') || 'none'})`);
  }
  if (!ref) throw new RunError(`${WHERE}: --run: ${flags.run} has no complete checkpoint`);
  const chosen = ref;
  const G = async () => {
    const { buildGenerator, loadPreferred } = await import('../nets/index.ts');
    const net = buildGenerator(plan);
    try { loadPreferred(net, readCheckpoint(chosen).tensors, ['G_ema']); } catch (e) { net.dispose(); throw e; }
    return net;
  };
  return { config, plan, G, describe: { run: dir, checkpoint: chosen.label } };
}

/** What the stats cache calls these reals: the data section plus the file's size and mtime. */
function datasetIdentity(config: ResolvedConfig): unknown {
  const { kind, path, resolution, channels, max_images, num_images, seed } = config.data;
  const file = path !== null && existsSync(path) ? statSync(path) : null;
  return { kind, path: path && resolve(path), resolution, channels, max_images, num_images, seed, bytes: file?.size ?? null, mtime_ms: file?.mtimeMs ?? null };
}

function readZ(file: string, zDim: number): Float32Array {
  const t = getF32(readSafetensors(file), 'z', file);
  if (t.shape.length !== 2 || t.shape[1] !== zDim || t.shape[0]! < 1) throw new RunError(`${file}: z must be [N, ${zDim}] (got [${t.shape}])`);
  return t.data;
}

async function runMetrics(flags: MetricsFlags): Promise<void> {
  const checked = checkMetricsFlags(flags);
  const src = flags.run !== undefined ? fromRun(flags) : fromConfig(flags);
  const specs = checked.explicit ? [] : specsOf(checked, src.config);
  const inceptionPath = specs.some((s) => s.family === 'fid_full' || s.family === 'kid_full') ? resolveInceptionPath(src.config.metrics.inception) : null;
  let explicitInput: { z: Float32Array; transforms: ExplicitTransforms } | null = null;
  if (checked.explicit) {
    if (src.plan.synthesis.input.kind !== 'fourier') throw new UsageError(`${WHERE}: --transforms need a Fourier-feature input (config row B on) (got generator.input.kind constant)`);
    const z = readZ(flags.z!, src.plan.mapping.z_dim);
    let json: unknown;
    try { json = JSON.parse(readFileSync(flags.transforms!, 'utf8')); } catch (e) { throw new RunError(`${flags.transforms}: cannot read JSON (${(e as Error).message})`); }
    const { parseExplicitTransforms } = await import('../metrics/explicit.ts');
    explicitInput = { z, transforms: parseExplicitTransforms(json, z.length / src.plan.mapping.z_dim, src.plan.img_resolution, flags.transforms!) };
  }
  const [{ describeBackend, initBackend }, { explicitEquivariance }, { computeGeneratorMetrics }] = await Promise.all([
    import('../backend/index.ts'), import('../metrics/explicit.ts'), import('../metrics/generator-metrics.ts'),
  ]);
  const backend = await initBackend((flags.backend ?? src.config.runtime.backend) as BackendName);
  process.stderr.write(`${WHERE}: backend ${describeBackend(backend)}\n`);
  const G = await src.G();
  try {
    if (explicitInput) {
      printExplicit(await explicitEquivariance(G, explicitInput.z, explicitInput.transforms), flags.json === true);
      return;
    }
    const needsReals = specs.some((s) => s.family === 'fid_full' || s.family === 'kid_full' || s.family === 'swd');
    const dataset = needsReals ? await openDataset(src.config.data) : undefined;
    try {
      const results = await computeGeneratorMetrics(G, specs.map((s) => s.name), {
        seed: checked.seed, batch: checked.batch, dataset, datasetIdentity: datasetIdentity(src.config), inceptionPath,
      });
      printResults(results, { ...src.describe, seed: String(checked.seed) }, flags.json === true);
    } finally {
      dataset?.close();
    }
  } finally {
    G.dispose();
  }
}

/**
 * The metrics to run, names and counts: --metrics or the config's metrics.names; the count from
 * --num, else a name's own @N, else the config's metrics.num (the official count when null).
 */
function specsOf(checked: Checked, config: ResolvedConfig): MetricSpec[] {
  const names = checked.names ?? config.metrics.names;
  if (names.length === 0) throw new UsageError(`${WHERE}: no metrics to compute: give --metrics (the config's metrics.names is empty; valid: ${listMetrics().join(', ')})`);
  if (checked.names === null) checkNames(names, 'metrics.names');
  return names.map((n) => resolveMetric(n, checked.num ?? (n.includes('@') ? null : config.metrics.num)));
}

function printExplicit(results: ExplicitEqResults, json: boolean): void {
  if (json) { process.stdout.write(`${JSON.stringify(results)}\n`); return; }
  for (const [name, r] of Object.entries(results)) {
    process.stdout.write(`${name}: ${r.psnr_db.toFixed(4)} dB over ${r.err_sum_per_sample.length} samples (per sample: ${r.psnr_db_per_sample.map((v) => v.toFixed(2)).join(', ')})\n`);
  }
}

function printResults(results: GeneratorMetricResult[], source: Record<string, string>, json: boolean): void {
  if (json) {
    const flat: Record<string, number | null> = {};
    for (const r of results) {
      if (r.results === null) flat[r.metric] = null;
      else Object.assign(flat, r.results);
    }
    process.stdout.write(`${JSON.stringify({ source, results: flat, metrics: results })}\n`);
    return;
  }
  for (const r of results) {
    if (r.results === null) { process.stdout.write(`${r.metric}: not applicable: ${r.reason}\n`); continue; }
    const [main, ...rest] = Object.entries(r.results);
    const extra = rest.length > 0 ? ` [${rest.map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}]` : '';
    process.stdout.write(`${main![0]}: ${main![1].toFixed(4)}${extra} (${r.num} samples, ${r.total_time.toFixed(1)} s)\n`);
  }
}
