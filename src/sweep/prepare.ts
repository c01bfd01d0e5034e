/**
 * Everything a sweep decides before it launches anything: the experiment and its cells (all
 * validated), the sweep root, sweep.json, each cell's run directory and action, and the planner's
 * cost estimate. Pure with respect to the sweep: it reads files, writes none.
 */
import { readFileSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ResolvedConfig } from '../config/index.ts';
import { planExperiment } from '../plan/index.ts';
import { expandCells, type Cell, type Expansion } from './cells.ts';
import { decide, type Action, type DecideOptions } from './decide.ts';
import { loadExperiment, type Experiment } from './experiment.ts';
import { describeChanges, identityOf } from './overrides.ts';
import { emptyState, findRunDir, inspectRun, readState, type CellRecord, type RunInspection, type SweepState } from './state.ts';

export interface CellPlan {
  cell: Cell;
  record: CellRecord | null;     // sweep.json's entry for this key, if any
  runDir: string | null;         // the run directory the action refers to
  run: RunInspection;
  action: Action;
}

export interface PreparedSweep {
  exp: Experiment;
  expansion: Expansion;
  root: string;                  // <runs dir>/<name>[-<profile>]
  state: SweepState;
  plans: CellPlan[];
}

export interface PrepareOptions extends Partial<DecideOptions> {
  experiment: string;
  profile?: string | null;
  runsDir?: string | null;
}

/** `<runs dir>/<name>`, or `<runs dir>/<name>-<profile>`: a smoke sweep never mixes with a full one. */
export function sweepRoot(runsDir: string, name: string, profile: string | null): string {
  return join(runsDir, profile === null ? name : `${name}-${profile}`);
}

export function prepareSweep(opts: PrepareOptions): PreparedSweep {
  const exp = loadExperiment(opts.experiment);
  const expansion = expandCells(exp, { profile: opts.profile ?? null });
  const root = sweepRoot(opts.runsDir ?? 'runs', exp.name, expansion.profile);
  const state = readState(root) ?? emptyState(exp.name, exp.file, expansion.profile);
  const decideOpts: DecideOptions = { retryFailed: opts.retryFailed ?? false, force: opts.force ?? false };
  const plans = expansion.cells.map((cell) => planCell(cell, state, root, decideOpts));
  return { exp, expansion, root, state, plans };
}

function planCell(cell: Cell, state: SweepState, root: string, opts: DecideOptions): CellPlan {
  let record = state.cells.find((r) => r.key === cell.key) ?? state.cells.find((r) => r.id === cell.id) ?? null;
  // A run of this exact config may exist although the record points elsewhere (the file was
  // changed and changed back, or sweep.json was lost): that run is the cell's.
  const own = findRunDir(root, cell.desc);
  let runDir: string | null;
  if (record !== null && record.id === cell.id) runDir = record.run_dir ?? own;
  else if (own !== null) { runDir = own; record = record === null ? null : { ...record, id: cell.id, run_dir: own }; }
  else runDir = record?.run_dir ?? null;
  const run = inspectRun(runDir);
  return { cell, record, runDir, run, action: decide(cell, record, runDir, run, opts) };
}

/** The one-line refusal for a finished cell whose config changed, pointing at its case. */
export function refusalLine(plan: CellPlan): string {
  const changes = changedKeys(plan);
  return `${plan.cell.where}: cell "${plan.cell.key}": changed since its run ${plan.run.state === 'running' ? 'started' : 'finished'} `
    + `(${changes}; run ${displayDir(plan.runDir)}); sg3 sweep --force reruns it, keeping the old run`;
}

function changedKeys(plan: CellPlan): string {
  const old = readRunConfig(plan.runDir);
  if (old !== null) {
    const text = describeChanges(identityOf(old), identityOf(plan.cell.resolved));
    if (text !== '') return text;
  }
  const before = Object.fromEntries((plan.record?.flags ?? []).map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)]));
  const after = Object.fromEntries(plan.cell.flags.map((f) => [f.raw.slice(0, f.raw.indexOf('=')), f.raw.slice(f.raw.indexOf('=') + 1)]));
  const text = describeChanges(before, after);
  return text !== '' ? text : `id ${plan.record?.id} -> ${plan.cell.id}`;
}

function readRunConfig(dir: string | null): ResolvedConfig | null {
  if (dir === null) return null;
  try {
    const value = parseYaml(readFileSync(join(dir, 'config.yaml'), 'utf8'));
    return value !== null && typeof value === 'object' ? value as ResolvedConfig : null;
  } catch {
    return null;
  }
}

/** A path as shown to the user: relative to the cwd when inside it. */
export function displayDir(dir: string | null): string {
  if (dir === null) return '—';
  const rel = relative(process.cwd(), dir);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : dir;
}

export interface CellCost {
  gflopsPerImage: number;        // forward FLOPs of G and D per image, from the planner
  images: number;                // train.kimg * 1000
  total: number;                 // gflopsPerImage * 1e9 * images
}

/** The planner's estimate: (G + D forward FLOPs per image) x training images. */
export function cellCost(cfg: ResolvedConfig): CellCost {
  const plan = planExperiment(cfg);
  const perImage = plan.cost.flops_per_image.g_total + plan.cost.flops_per_image.d;
  const images = cfg.train.kimg * 1000;
  return { gflopsPerImage: perImage / 1e9, images, total: perImage * images };
}
