/**
 * Experiment files (experiments/*.yaml) -> Experiment: YAML with positions, checked against
 * schema/experiment.schema.json (ajv 2020, strict), every error one line `file:line:col: path: what
 * (got value)` like the config errors. Override maps are flattened to one leaf per dotted key, each
 * remembering where it was written, so a bad value found later (per cell) still points at its line.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
// The named export: under NodeNext the default import of this CommonJS module is typed as the namespace.
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import schemaJson from '../../schema/experiment.schema.json' with { type: 'json' };
import { displayPath, type PaperRow } from '../config/index.ts';
import { formatPath, formatValue, getAt, isPlainObject, type Path } from '../config/paths.ts';
import { closest } from '../config/suggest.ts';
import { parseYamlWithPositions, type Pos } from '../config/yaml-source.ts';
import { ConfigError } from '../errors.ts';

export const EXPERIMENT_SCHEMA = schemaJson as Record<string, any>;

export type PaperValues = Pick<PaperRow, 'fid' | 'eqt' | 'eqr'>;

/** One `key: value` override, flattened to a leaf (mappings recurse; lists are leaves). */
export interface Override {
  key: string;          // dotted config key, e.g. generator.filter.size
  value: unknown;
  where: string;        // file:line:col of the key in the experiment file
}

export interface GridAxis { key: string; values: unknown[]; where: string }

export interface ExperimentCase {
  name: string;                        // '' for the implicit single case of a grid-only file
  config: string;                      // absolute path of its config file
  set: Override[];
  profiles: Record<string, Override[]>;
  metrics: string[] | null;
  paper: PaperValues | 'config' | null;
  where: string;
}

export interface SlurmOptions {
  partition?: string;
  time?: string;
  gres?: string;
  account?: string;
  throttle?: number;
  cpus_per_task?: number;
  mem?: string;
  setup?: string[];
}

export interface Experiment {
  file: string;                        // as displayed in messages (relative to the cwd when inside it)
  name: string;
  description: string;
  paper: { figure: string; title?: string; source?: string } | null;
  profile: string | null;
  profileWhere: string;
  seeds: number[];
  seedWhere: (index: number) => string;
  metrics: string[] | null;
  metricsWhere: string;
  set: Override[];
  grid: GridAxis[];
  cases: ExperimentCase[];
  hasCases: boolean;                   // false: one implicit case (grid only, or the base alone)
  slurm: SlurmOptions;
}

const validate = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true }).compile(EXPERIMENT_SCHEMA);

/** Reads, parses and checks an experiment file; throws ConfigError with every error line. */
export function loadExperiment(file: string): Experiment {
  const abs = resolvePath(file);
  const display = displayPath(abs);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(`${display}: ${code === 'ENOENT' ? 'file not found' : `cannot read (${code})`}`);
  }
  return parseExperiment(text, abs, display);
}

/** The experiment in `text` (the file at `abs`, shown as `display`). */
export function parseExperiment(text: string, abs: string, display: string = displayPath(abs)): Experiment {
  const parsed = parseYamlWithPositions(text);
  const where = (path: Path): string => locate(display, parsed.positions, path);
  if (parsed.errors.length > 0) {
    throw new ConfigError(parsed.errors.map((e) => `${display}:${e.pos.line}:${e.pos.col}: invalid YAML: ${e.message}`));
  }
  const value = parsed.value ?? {};
  if (!isPlainObject(value)) throw new ConfigError(`${display}:1:1: must be a mapping of experiment keys (got ${formatValue(value)})`);
  const issues = validate(value) ? [] : schemaIssues(validate.errors ?? [], value);
  issues.push(...crossChecks(value));
  if (issues.length > 0) {
    const lines = issues.map((i) => ({ at: where(i.path), text: `${where(i.path)}: ${formatPath(i.path)}: ${i.message}` }));
    throw new ConfigError(sortByPosition(lines).map((l) => l.text));
  }
  return build(value, dirname(abs), display, where);
}

function locate(display: string, positions: Map<string, Pos>, path: Path): string {
  for (let n = path.length; n >= 0; n--) {
    const pos = positions.get(formatPath(path.slice(0, n)));
    if (pos) return `${display}:${pos.line}:${pos.col}`;
  }
  return `${display}:1:1`;
}

function sortByPosition<T extends { at: string }>(lines: T[]): T[] {
  const key = (s: string) => (s.match(/:(\d+):(\d+)$/)?.slice(1).map(Number) ?? [0, 0]);
  return [...lines].sort((a, b) => key(a.at)[0] - key(b.at)[0] || key(a.at)[1] - key(b.at)[1]);
}

interface Issue { path: Path; message: string }

function pathOf(instancePath: string): Path {
  if (instancePath === '') return [];
  return instancePath.slice(1).split('/').map((raw) => {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^\d+$/.test(seg) ? Number(seg) : seg;
  });
}

/** ajv errors -> issues. `paper:` (a mapping or "config") gets one message unless it is a mapping. */
function schemaIssues(errors: ErrorObject[], root: unknown): Issue[] {
  const oneOfAt = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  const out: Issue[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'propertyNames') continue;                // reported by its inner pattern error
    let issue: Issue | null;
    if (oneOfAt.has(e.instancePath)) {
      const isMapping = isPlainObject(getAt(root, pathOf(e.instancePath)).value);
      if (e.keyword === 'oneOf' && !isMapping) issue = { path: pathOf(e.instancePath), message: `must be a mapping {fid, eqt, eqr} or "config" (got ${formatValue(getAt(root, pathOf(e.instancePath)).value)})` };
      else if (e.keyword === 'oneOf' || e.keyword === 'const' || !isMapping) issue = null;
      else issue = toIssue(e, root);
    } else {
      issue = toIssue(e, root);
    }
    if (issue === null) continue;
    const id = `${formatPath(issue.path)}\u0000${issue.message}`;
    if (!seen.has(id)) { seen.add(id); out.push(issue); }
  }
  return out;
}

function toIssue(e: ErrorObject, root: unknown): Issue {
  const path = pathOf(e.instancePath);
  const got = ` (got ${formatValue(getAt(root, path).value)})`;
  const p = e.params as Record<string, any>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const siblings = Object.keys(schemaPropertiesAt(e.schemaPath));
      const near = closest(String(p.additionalProperty), siblings);
      const hint = near ? `did you mean ${formatPath([...path, near])}?` : `valid keys: ${siblings.join(', ')}`;
      return { path: [...path, p.additionalProperty], message: `unknown key (${hint})` };
    }
    case 'required': return { path: [...path, p.missingProperty], message: 'required key is missing' };
    case 'type': return { path, message: `must be ${String(p.type).replace('object', 'a mapping').replace('array', 'a list').replace(',', ' or ')}${got}` };
    case 'pattern':
      if (e.propertyName !== undefined) return { path: [...path, e.propertyName], message: 'must be a dotted config key like generator.filter.size' };
      return { path, message: `must match ${p.pattern}${got}` };
    case 'minimum': return { path, message: `must be ${p.comparison} ${p.limit}${got}` };
    case 'minItems': case 'minProperties': return { path, message: `must not be empty${got}` };
    case 'minLength': return { path, message: `must not be empty${got}` };
    case 'uniqueItems': return { path, message: `must not repeat an item${got}` };
    default: return { path, message: `${e.message ?? e.keyword}${got}` };
  }
}

/** The `properties` of the schema object an additionalProperties error came from. */
function schemaPropertiesAt(schemaPath: string): Record<string, unknown> {
  const segs = schemaPath.replace(/^#\//, '').split('/').slice(0, -1);
  const node = segs.reduce<any>((n, s) => n?.[s], EXPERIMENT_SCHEMA);
  return node?.properties ?? {};
}

/** Rules the schema cannot say: a config for every case, unique case names. */
function crossChecks(value: Record<string, unknown>): Issue[] {
  const issues: Issue[] = [];
  const cases = Array.isArray(value.cases) ? value.cases : [];
  if (typeof value.base !== 'string') {
    if (cases.length === 0) issues.push({ path: ['base'], message: 'required key is missing (no cases name their own config)' });
    cases.forEach((c, i) => {
      if (isPlainObject(c) && typeof c.config !== 'string') issues.push({ path: ['cases', i], message: `needs a config (the file has no base) (got ${formatValue(c.name)})` });
    });
  }
  const names = new Map<string, number>();
  cases.forEach((c, i) => {
    if (!isPlainObject(c) || typeof c.name !== 'string') return;
    if (names.has(c.name)) issues.push({ path: ['cases', i, 'name'], message: `repeats the name of cases[${names.get(c.name)}] (got ${formatValue(c.name)})` });
    else names.set(c.name, i);
  });
  return issues;
}

/** `{a.b: {c: 1}, d: [1]}` -> leaves a.b.c=1, d=[1], each with the position of its deepest key. */
export function flattenOverrides(map: unknown, at: Path, where: (p: Path) => string): Override[] {
  const out: Override[] = [];
  const walk = (value: unknown, key: string, path: Path): void => {
    if (isPlainObject(value) && Object.keys(value).length > 0) {
      for (const [k, v] of Object.entries(value)) walk(v, `${key}.${k}`, [...path, k]);
    } else {
      out.push({ key, value, where: where(path) });
    }
  };
  if (isPlainObject(map)) for (const [k, v] of Object.entries(map)) walk(v, k, [...at, k]);
  return out;
}

function build(v: Record<string, any>, dir: string, file: string, where: (p: Path) => string): Experiment {
  const base = typeof v.base === 'string' ? resolvePath(dir, v.base) : null;
  const rawCases: any[] = Array.isArray(v.cases) ? v.cases : [{ name: '' }];
  const cases = rawCases.map((c, i): ExperimentCase => {
    const at: Path = Array.isArray(v.cases) ? ['cases', i] : [];
    const profiles = isPlainObject(c.profiles) ? c.profiles : {};
    return {
      name: c.name,
      config: typeof c.config === 'string' ? resolvePath(dir, c.config) : base!,
      set: flattenOverrides(c.set, [...at, 'set'], where),
      profiles: Object.fromEntries(Object.entries(profiles).map(([p, o]) => [p, flattenOverrides(o, [...at, 'profiles', p], where)])),
      metrics: Array.isArray(c.metrics) ? c.metrics : null,
      paper: c.paper ?? null,
      where: where(at),
    };
  });
  const grid = Object.entries(isPlainObject(v.grid) ? v.grid : {}).map(([key, values]): GridAxis => ({ key, values: values as unknown[], where: where(['grid', key]) }));
  return {
    file,
    name: v.name,
    description: v.description ?? '',
    paper: v.paper ?? null,
    profile: v.profile ?? null,
    profileWhere: where(['profile']),
    seeds: v.seeds ?? [0],
    seedWhere: (i) => (Array.isArray(v.seeds) ? where(['seeds', i]) : file),
    metrics: Array.isArray(v.metrics) ? v.metrics : null,
    metricsWhere: where(['metrics']),
    set: flattenOverrides(v.set, ['set'], where),
    grid,
    cases,
    hasCases: Array.isArray(v.cases),
    slurm: v.slurm ?? {},
  };
}
