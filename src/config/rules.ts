/**
 * Cross-field rules that JSON Schema cannot express. Each is a small named function of the merged,
 * schema-valid config returning issues in the same `path: message (got value)` form. They run only
 * once the schema has no complaints, so every value has its declared type here.
 * The effective per-step batch is `train.batch_per_step ?? train.batch`; the planner owns every
 * other derived number.
 */
import type { ResolvedConfig } from './types.ts';
import { formatValue, type Path } from './paths.ts';
import type { Issue } from './schema-check.ts';

export interface Rule { name: string; check: (c: ResolvedConfig) => Issue[] }

const issue = (path: string, what: string, got: unknown, ...related: string[]): Issue[] =>
  [{ path: path.split('.') as Path, message: `${what} (got ${formatValue(got)})`, related: related.map((r) => r.split('.') as Path) }];

/** Official batch_gpu, named the way the user wrote it. */
function perStep(c: ResolvedConfig): { n: number; key: string; name: string } {
  const key = c.train.batch_per_step === null ? 'train.batch' : 'train.batch_per_step';
  const n = c.train.batch_per_step ?? c.train.batch;
  return { n, key, name: `${key} = ${n}` };
}

export const RULES: Rule[] = [
  {
    name: 'resolution is a power of two',
    check: ({ data }) => ((data.resolution & (data.resolution - 1)) === 0 ? []
      : issue('data.resolution', 'must be a power of two >= 16', data.resolution)),
  },
  {
    name: 'filter size is even',
    // Taps per unit of resampling: an even count keeps the up/down filters centred between samples.
    check: ({ generator: g }) => (g.filter.size % 2 === 0 ? []
      : issue('generator.filter.size', 'must be an even integer >= 2', g.filter.size)),
  },
  {
    name: 'bilinear filter has size 2',
    check: ({ generator: g }) => (g.filter.kind !== 'bilinear' || g.filter.size === 2 ? []
      : issue('generator.filter.size', 'must be 2 when generator.filter.kind is bilinear', g.filter.size, 'generator.filter.kind')),
  },
  {
    name: 'stopband above cutoff',
    check: ({ generator: { schedule: s } }) => (s.first_stopband > s.first_cutoff ? []
      : issue('generator.schedule.first_stopband', `must be above generator.schedule.first_cutoff = ${s.first_cutoff}`, s.first_stopband,
        'generator.schedule.first_cutoff')),
  },
  {
    name: 'flexible schedule has non-critical layers',
    // The official exponents divide by (num_layers - num_critical).
    check: ({ generator: { schedule: s } }) => (s.kind !== 'flexible' || s.critical_layers < s.layers ? []
      : issue('generator.schedule.critical_layers', `must be < generator.schedule.layers = ${s.layers}`, s.critical_layers,
        'generator.schedule.layers', 'generator.schedule.kind')),
  },
  {
    name: 'first cutoff within the output band',
    // The flexible cutoffs grow geometrically from first_cutoff up to resolution / 2.
    check: ({ generator: { schedule: s }, data }) => (s.kind !== 'flexible' || s.first_cutoff <= data.resolution / 2 ? []
      : issue('generator.schedule.first_cutoff', `must be <= data.resolution / 2 = ${data.resolution / 2}`, s.first_cutoff,
        'data.resolution', 'generator.schedule.kind')),
  },
  {
    name: 'skips need the rigid schedule',
    check: ({ generator: g }) => (!g.skips || g.schedule.kind === 'rigid' ? []
      : issue('generator.skips', 'must be false with generator.schedule.kind flexible', g.skips, 'generator.schedule.kind')),
  },
  {
    name: 'input transform needs Fourier features',
    check: ({ generator: { input } }) => (input.transform === 'none' || input.kind === 'fourier' ? []
      : issue('generator.input.transform', 'must be none with generator.input.kind constant', input.transform, 'generator.input.kind')),
  },
  {
    name: 'per-pixel noise needs unfiltered layers',
    // Noise is added at the layer's own rate (rows A-B); a filtered layer has no such point and nets/ builds none.
    check: ({ generator: g }) => (!g.noise || !g.nonlinearity.filtered ? []
      : issue('generator.noise', 'must be false with generator.nonlinearity.filtered true: per-pixel noise exists on unfiltered layers only',
        g.noise, 'generator.nonlinearity.filtered')),
  },
  {
    name: 'batch divisible by per-step batch',
    check: ({ train }) => (train.batch_per_step === null || train.batch % train.batch_per_step === 0 ? []
      : issue('train.batch_per_step', `must divide train.batch = ${train.batch}`, train.batch_per_step, 'train.batch')),
  },
  {
    name: 'minibatch-std group fits the per-step batch',
    // train.py rejects --batch-gpu < --mbstd-group; the group reshape also needs it to divide.
    check: (c) => {
      const { mbstd_group_size: group, mbstd_channels: channels } = c.discriminator;
      const step = perStep(c);
      if (channels === 0) return [];
      if (group > step.n) return issue('discriminator.mbstd_group_size', `must be <= the per-step batch ${step.name}`, group, step.key);
      if (step.n % group !== 0) return issue('discriminator.mbstd_group_size', `must divide the per-step batch ${step.name}`, group, step.key);
      return [];
    },
  },
  {
    name: 'path length batch is not empty',
    check: (c) => {
      const step = perStep(c);
      return c.loss.pl_weight === 0 || c.loss.pl_batch_shrink <= step.n ? []
        : issue('loss.pl_batch_shrink', `must be <= the per-step batch ${step.name}`, c.loss.pl_batch_shrink,
          step.key, 'loss.pl_weight');
    },
  },
  {
    name: 'dataset files have a path',
    check: ({ data }) => ((data.kind !== 'zip' && data.kind !== 'folder') || data.path !== null ? []
      : issue('data.path', `required for data.kind ${data.kind}`, data.path, 'data.kind')),
  },
  {
    name: 'Fashion-MNIST is grayscale',
    check: ({ data }) => (data.kind !== 'fashion-mnist' || data.channels === 1 ? []
      : issue('data.channels', 'must be 1 for data.kind fashion-mnist', data.channels, 'data.kind')),
  },
];

export function checkRules(config: ResolvedConfig): Issue[] {
  return RULES.flatMap((rule) => rule.check(config));
}
