/**
 * Experiment -> cells: cases x grid points x seeds, each resolved exactly as its `sg3 run` will
 * resolve it (same config file, profile and `--set` flags, through config/'s resolver), checked
 * against the config schema, the cross-field rules and the planner before anything runs. A bad
 * value in cell 37 fails the whole sweep up front, pointing at the experiment line that set it.
 *
 * Order of a cell's flags, all applied after the profile by `sg3 run`:
 *   shared `set`, the case's `set` (both minus the keys the selected profile sets: a profile is a
 *   visible downscale, and the experiment's full-size settings never silently undo it), then the
 *   case's `profiles.<profile>` block, the grid point, metrics.names and train.seed, which win over it.
 * Two cells that resolve to the same config (say, a case whose only change the profile overrides)
 * are an error: they would be the same run twice.
 */
import { getAt } from '../config/paths.ts';
import { displayPath, resolveConfigWithSources, type ReadText, type Resolution, type ResolvedConfig } from '../config/index.ts';
import { ConfigError } from '../errors.ts';
import type { HParamValue } from '../log/index.ts';
import { planProblems } from '../plan/index.ts';
import type { Experiment, ExperimentCase, Override, PaperValues } from './experiment.ts';
import { cellId, setArg } from './overrides.ts';

export type FlagOrigin = 'set' | 'case' | 'case-profile' | 'grid' | 'metrics' | 'seed';

export interface SetFlag {
  raw: string;          // key=value, as passed to `sg3 run --set`
  where: string;        // file:line:col in the experiment file
  origin: FlagOrigin;
}

export interface Cell {
  index: number;
  key: string;          // stable name: case, grid values and seed, e.g. "n=4 s0"
  group: string;        // the key without the seed: one row of the paper's table
  caseName: string;
  grid: Array<{ key: string; value: unknown }>;
  seed: number;
  config: string;       // the config file, as displayed (relative to the cwd when inside it)
  profile: string | null;
  flags: SetFlag[];
  keptByProfile: Override[];   // shared overrides not applied because the profile sets those keys
  resolved: ResolvedConfig;
  id: string;           // content address: hash of the resolved config (seed included)
  desc: string;         // the run directory suffix: <slug of key>-<id>
  hparams: Record<string, HParamValue>;
  paper: PaperValues | null;
  where: string;        // the case's position in the experiment file
}

export interface CellOptions {
  profile?: string | null;     // --profile; overrides the file's `profile:`
  read?: ReadText;             // tests resolve from memory
}

export interface Expansion {
  cells: Cell[];
  profile: string | null;
  sweptKeys: string[];         // the keys that vary (grid and case keys), for HParams
}

interface Draft { kase: ExperimentCase; grid: Array<{ key: string; value: unknown; where: string }>; seed: number; seedIndex: number }

/** Every cell of `exp`, resolved and checked; throws ConfigError listing every problem of every cell. */
export function expandCells(exp: Experiment, opts: CellOptions = {}): Expansion {
  const profile = opts.profile ?? exp.profile;
  const profileFromFile = opts.profile == null && exp.profile !== null;
  const drafts = draftCells(exp);
  const profileKeys = new ProfileKeys(profile, opts.read);
  const shortNames = gridShortNames(exp);
  const errors: string[] = [];
  const cells: Cell[] = [];
  for (const d of drafts) {
    const group = [d.kase.name, ...d.grid.map((g) => `${shortNames.get(g.key)}=${formatGridValue(g.value)}`)].filter((s) => s !== '').join(' ');
    const key = [group, `s${d.seed}`].filter((s) => s !== '').join(' ');
    const config = displayPath(d.kase.config);
    const kept = profile === null ? [] : [...exp.set, ...d.kase.set].filter((o) => profileKeys.sets(d.kase.config, o.key));
    const flags = cellFlags(exp, d, kept, profile);
    const res = resolveConfigWithSources(d.kase.config, { profile, set: flags.map((f) => f.raw) }, opts.read);
    const label = group === '' ? '' : `cell "${group}": `;
    if (res.config === null) {
      errors.push(...res.errors.map((l) => mapError(l, flags, label, profile, profileFromFile ? exp.profileWhere : null)));
      continue;
    }
    const problems = planProblems(res.config);
    if (problems.length > 0) { errors.push(...problems.map((p) => `${config}: ${label}${p}`)); continue; }
    const id = cellId(res.config);
    cells.push({
      index: cells.length, key, group, caseName: d.kase.name, grid: d.grid.map(({ key: k, value }) => ({ key: k, value })),
      seed: d.seed, config, profile, flags, keptByProfile: kept, resolved: res.config, id,
      desc: `${slug(key)}-${id}`, hparams: {}, paper: paperOf(d.kase, res.config), where: d.kase.where,
    });
  }
  errors.push(...duplicateIds(cells, profile));
  if (errors.length > 0) throw new ConfigError([...new Set(errors)]);
  const sweptKeys = sweptKeysOf(exp);
  for (const cell of cells) cell.hparams = hparamsOf(cell, sweptKeys, exp.hasCases);
  return { cells, profile, sweptKeys };
}

function duplicateIds(cells: Cell[], profile: string | null): string[] {
  const first = new Map<string, Cell>();
  const out: string[] = [];
  for (const c of cells) {
    const other = first.get(c.id);
    if (!other) { first.set(c.id, c); continue; }
    const why = profile !== null && c.keptByProfile.length > 0
      ? ` (profile ${profile} sets ${c.keptByProfile.map((o) => o.key).join(', ')}; give the case a profiles.${profile} block)` : '';
    out.push(`${c.where}: cell "${c.key}": resolves to the same config as cell "${other.key}"${why} (got id ${c.id})`);
  }
  return out;
}

/** cases x grid points (cartesian, first key slowest) x seeds, in file order. */
function draftCells(exp: Experiment): Draft[] {
  let points: Draft['grid'][] = [[]];
  for (const axis of exp.grid) {
    points = points.flatMap((p) => axis.values.map((value) => [...p, { key: axis.key, value, where: axis.where }]));
  }
  return exp.cases.flatMap((kase) => points.flatMap((grid) => exp.seeds.map((seed, seedIndex) => ({ kase, grid, seed, seedIndex }))));
}

function cellFlags(exp: Experiment, d: Draft, kept: Override[], profile: string | null): SetFlag[] {
  const flags: SetFlag[] = [];
  const add = (o: Override, origin: FlagOrigin) => flags.push({ raw: setArg(o.key, o.value), where: o.where, origin });
  for (const o of exp.set) if (!kept.includes(o)) add(o, 'set');
  for (const o of d.kase.set) if (!kept.includes(o)) add(o, 'case');
  for (const o of (profile !== null ? d.kase.profiles[profile] : undefined) ?? []) add(o, 'case-profile');
  for (const g of d.grid) add(g, 'grid');
  const metrics = d.kase.metrics ?? exp.metrics;
  if (metrics !== null) flags.push({ raw: setArg('metrics.names', metrics), where: d.kase.metrics ? d.kase.where : exp.metricsWhere, origin: 'metrics' });
  flags.push({ raw: setArg('train.seed', d.seed), where: exp.seedWhere(d.seedIndex), origin: 'seed' });
  // A key set again later (a case replacing a shared value) needs only its last flag.
  const keyOf = (f: SetFlag) => f.raw.slice(0, f.raw.indexOf('='));
  return flags.filter((f, i) => !flags.slice(i + 1).some((g) => keyOf(g) === keyOf(f)));
}

/** A resolver error line, moved from `--set k=v` to the experiment line that wrote it. */
function mapError(line: string, flags: SetFlag[], label: string, profile: string | null, profileWhere: string | null): string {
  for (let i = flags.length - 1; i >= 0; i--) {
    const prefix = `--set ${flags[i]!.raw}: `;
    if (line.startsWith(prefix)) {
      const rest = line.slice(prefix.length);
      return flags[i]!.origin === 'set' ? `${flags[i]!.where}: ${rest}` : `${flags[i]!.where}: ${label}${rest}`;
    }
  }
  if (profile !== null && profileWhere !== null && line.startsWith(`--profile ${profile}: `)) {
    return `${profileWhere}: profile: ${line.slice(`--profile ${profile}: `.length)}`;
  }
  const at = /^(.*?:\d+:\d+): /.exec(line);
  return at && label ? `${at[1]}: ${label}${line.slice(at[0].length)}` : line;
}

/** Which keys a profile sets in a config file: where a key was set moves when the profile is applied. */
class ProfileKeys {
  private readonly cache = new Map<string, { without: Resolution; with: Resolution }>();
  constructor(private readonly profile: string | null, private readonly read?: ReadText) {}

  sets(configFile: string, key: string): boolean {
    if (this.profile === null) return false;
    let pair = this.cache.get(configFile);
    if (!pair) {
      pair = {
        without: resolveConfigWithSources(configFile, {}, this.read),
        with: resolveConfigWithSources(configFile, { profile: this.profile }, this.read),
      };
      this.cache.set(configFile, pair);
    }
    const path = key.split('.');
    return pair.with.errors.length === 0 && pair.without.locate(path) !== pair.with.locate(path);
  }
}

/** Grid keys by their last segment (`size`), or in full where two would read the same. */
function gridShortNames(exp: Experiment): Map<string, string> {
  const last = (k: string) => k.slice(k.lastIndexOf('.') + 1);
  const counts = new Map<string, number>();
  for (const a of exp.grid) counts.set(last(a.key), (counts.get(last(a.key)) ?? 0) + 1);
  return new Map(exp.grid.map((a) => [a.key, counts.get(last(a.key))! > 1 ? a.key : last(a.key)]));
}

function formatGridValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Directory-name safe: runs of other characters become '-'. */
export function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'cell';
}

function paperOf(kase: ExperimentCase, cfg: ResolvedConfig): PaperValues | null {
  if (kase.paper === 'config') return cfg.paper ? { fid: cfg.paper.fid, eqt: cfg.paper.eqt, eqr: cfg.paper.eqr } : null;
  return kase.paper;
}

function sweptKeysOf(exp: Experiment): string[] {
  const keys = new Set<string>(exp.grid.map((a) => a.key));
  for (const c of exp.cases) {
    for (const o of c.set) keys.add(o.key);
    for (const list of Object.values(c.profiles)) for (const o of list) keys.add(o.key);
  }
  return [...keys];
}

function hparamValue(v: unknown): HParamValue {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  return JSON.stringify(v ?? null);
}

/** The cell's swept settings as TensorBoard HParams: values from its resolved config. */
function hparamsOf(cell: Cell, sweptKeys: string[], hasCases: boolean): Record<string, HParamValue> {
  const out: Record<string, HParamValue> = {};
  if (hasCases) out.case = cell.caseName;
  for (const k of sweptKeys) out[k] = hparamValue(getAt(cell.resolved, k.split('.')).value);
  out['train.seed'] = cell.seed;
  return out;
}
