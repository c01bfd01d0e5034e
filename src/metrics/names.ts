/**
 * Metric names (official `metrics/metric_main.py`): which families exist, their official names and
 * sample counts, and how a name resolves. No tfjs here, on purpose: `sg3 metrics --help`, its flag
 * checks and `sg3 run`'s config check list and validate names without the ~1.5 s tfjs import.
 * registry.ts adds the code that runs each family.
 *
 * The official names run the paper's sample counts; `<family>@N` (or `--num N`) runs N samples and is
 * reported under that name, so a 1000-sample CPU number is never filed as `fid50k_full`.
 */
import { UsageError } from '../errors.ts';

export type MetricFamily = 'fid_full' | 'kid_full' | 'eqt_int' | 'eqt_frac' | 'eqr' | 'swd';

export interface MetricFamilyInfo {
  official: string;          // the name at the default count
  num: number;               // generated samples (SWD: real and generated images)
  description: string;
}

/** In listing order. */
export const METRIC_FAMILIES: Readonly<Record<MetricFamily, Readonly<MetricFamilyInfo>>> = Object.freeze({
  fid_full: { official: 'fid50k_full', num: 50000, description: 'Fréchet Inception distance: all real images vs N generated' },
  kid_full: {
    official: 'kid50k_full',
    num: 50000,
    description: 'kernel Inception distance: up to 1M real images vs N generated, 100 subsets of <= 1000',
  },
  eqt_int: { official: 'eqt50k_int', num: 50000, description: 'EQ-T, integer translations, PSNR dB' },
  eqt_frac: { official: 'eqt50k_frac', num: 50000, description: 'EQ-T_frac, fractional translations, PSNR dB' },
  eqr: { official: 'eqr50k', num: 50000, description: 'EQ-R, rotations, PSNR dB' },
  swd: {
    official: 'swd16k',
    num: 16384,
    description: 'sliced Wasserstein distance x1e3 on Laplacian-pyramid patches (Progressive GAN), N real vs N generated',
  },
});

const FAMILY_KEYS = Object.keys(METRIC_FAMILIES) as MetricFamily[];

export interface MetricSpec {
  name: string;      // as reported: the official name, or `<family>@N`
  family: MetricFamily;
  num: number;
  description: string;
}

/** The official names (the only ones a config's metrics.names may hold; its metrics.num sets the count). */
export function officialMetricNames(): string[] {
  return FAMILY_KEYS.map((f) => METRIC_FAMILIES[f].official);
}

/** The official names, then the `@N` families. */
export function listMetrics(): string[] {
  return [...officialMetricNames(), ...FAMILY_KEYS.map((k) => `${k}@N`)];
}

/** A metric by name; `num` (from --num / metrics.num) overrides the sample count and renames it. */
export function resolveMetric(name: string, num?: number | null): MetricSpec {
  let family = FAMILY_KEYS.find((f) => METRIC_FAMILIES[f].official === name);
  let count = family ? METRIC_FAMILIES[family].num : NaN;
  const at = /^([a-z_]+)@([1-9][0-9]*)$/.exec(name);
  if (!family && at && at[1]! in METRIC_FAMILIES) {
    family = at[1] as MetricFamily;
    count = Number(at[2]);
  }
  if (!family) throw new UsageError(`metrics: unknown metric "${name}" (valid: ${listMetrics().join(', ')})`);
  if (num !== undefined && num !== null) {
    if (!Number.isInteger(num) || num < 2) throw new UsageError(`metrics: --num must be an integer >= 2 (got ${num})`);
    count = num;
  }
  const def = METRIC_FAMILIES[family];
  return { name: count === def.num ? def.official : `${family}@${count}`, family, num: count, description: def.description };
}

export function isValidMetric(name: string): boolean {
  try { resolveMetric(name); return true; } catch { return false; }
}

/** One problem of a config, at a path of its keys (config/'s checkConfig places it at file:line:col). */
export interface MetricsConfigIssue { path: (string | number)[]; message: string }

/**
 * What a run would reject in a config's metrics section, so `sg3 validate` and `sg3 run` can refuse
 * it before anything is created instead of failing at train start or, on resume, at the first
 * evaluation. config/ cannot check this itself (it must not import metrics/).
 */
export function metricsConfigIssues(m: { names: readonly string[]; num: number | null }): MetricsConfigIssue[] {
  const out: MetricsConfigIssue[] = m.names.flatMap((n, i) => isValidMetric(n) ? [] : [{
    path: ['metrics', 'names', i], message: `unknown metric (got "${n}"; valid: ${officialMetricNames().join(', ')})`,
  }]);
  if (m.names.length > 0 && m.num !== null && (!Number.isInteger(m.num) || m.num < 2)) {
    out.push({ path: ['metrics', 'num'], message: `must be an integer >= 2 or null (got ${m.num})` });
  }
  return out;
}

/** metricsConfigIssues as lines, `metrics.names[1]: unknown metric ...`. */
export function metricsConfigProblems(m: { names: readonly string[]; num: number | null }): string[] {
  return metricsConfigIssues(m).map(({ path, message }) => `${path.map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? seg : `.${seg}`)).join('')}: ${message}`);
}
