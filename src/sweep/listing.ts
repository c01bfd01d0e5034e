/**
 * What `sg3 sweep` prints besides the per-cell progress lines: the --dry-run listing (cells, their
 * flags, the action and the planner's cost), the --status table and the end-of-sweep summary.
 */
import { formatDuration } from '../log/index.ts';
import { describeAction } from './decide.ts';
import { cellCost, displayDir, type CellPlan, type PreparedSweep } from './prepare.ts';
import type { CellRecord } from './state.ts';

/** Left-aligned columns separated by two spaces. */
export function columns(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

/** 1.23e15 -> "1.23 PFLOP". */
export function formatFlops(flops: number): string {
  const units: Array<[number, string]> = [[1e18, 'EFLOP'], [1e15, 'PFLOP'], [1e12, 'TFLOP'], [1e9, 'GFLOP'], [1e6, 'MFLOP']];
  for (const [scale, unit] of units) if (flops >= scale) return `${(flops / scale).toPrecision(3)} ${unit}`;
  return `${flops.toFixed(0)} FLOP`;
}

function header(prep: PreparedSweep): string {
  const e = prep.exp;
  const cases = e.hasCases ? `${e.cases.length} case${e.cases.length === 1 ? '' : 's'}` : '1 config';
  const grid = e.grid.map((a) => ` x ${a.values.length} ${a.key}`).join('');
  const seeds = `${e.seeds.length} seed${e.seeds.length === 1 ? '' : 's'}`;
  const profile = prep.expansion.profile === null ? 'no profile (full size)' : `profile ${prep.expansion.profile}`;
  return `sweep ${e.name}: ${prep.plans.length} cells (${cases}${grid} x ${seeds}), ${profile}, in ${displayDir(prep.root)}`;
}

/** The --dry-run listing: every cell with its command-line flags, its action and its cost. */
export function dryRunLines(prep: PreparedSweep): string[] {
  const lines = [header(prep)];
  const kept = new Map<string, unknown>();
  for (const p of prep.plans) for (const o of p.cell.keptByProfile) kept.set(o.key, o.value);
  if (kept.size > 0) {
    lines.push(`profile ${prep.expansion.profile} keeps its own ${[...kept.keys()].join(', ')} (the experiment's values apply without a profile)`);
  }
  let total = 0;
  for (const p of prep.plans) {
    const cost = cellCost(p.cell.resolved);
    total += cost.total;
    lines.push('');
    lines.push(`${p.cell.key}  [${p.cell.id}]  ${describeAction(p.action)}${p.runDir ? `  ${displayDir(p.runDir)}` : ''}`);
    lines.push(`    ${p.cell.config}${p.cell.profile ? ` --profile ${p.cell.profile}` : ''}`);
    for (const f of p.cell.flags) lines.push(`      --set ${f.raw}`);
    lines.push(`    cost: ${formatFlops(cost.gflopsPerImage * 1e9)}/image (G + D forward) x ${cost.images} images = ${formatFlops(cost.total)}`);
  }
  lines.push('');
  const launch = prep.plans.filter((p) => p.action.kind === 'run' || p.action.kind === 'resume').length;
  lines.push(`total: ${formatFlops(total)} (forward FLOPs x images, all cells); ${launch} of ${prep.plans.length} cells would run`);
  return lines;
}

function recordOf(prep: PreparedSweep, p: CellPlan): CellRecord | undefined {
  return prep.state.cells.find((r) => r.key === p.cell.key);
}

/** The --status table: each cell's state from its run directory (and Slurm, when known). */
export function statusLines(prep: PreparedSweep, slurm: Map<number, string> | null): string[] {
  const rows = [['cell', 'id', 'state', 'slurm', 'run directory']];
  const counts = new Map<string, number>();
  for (const p of prep.plans) {
    const rec = recordOf(prep, p);
    const task = prep.state.slurm?.tasks.find((t) => t.key === p.cell.key);
    const slurmState = task !== undefined && slurm !== null ? (slurm.get(task.index) ?? '—') : '—';
    let state = p.action.kind === 'refuse' ? 'changed' : p.run.state === 'missing' ? (rec?.status === 'submitted' ? 'submitted' : 'not run') : p.run.state;
    if (p.run.state === 'interrupted') state = `interrupted (${p.run.checkpoints} checkpoint${p.run.checkpoints === 1 ? '' : 's'})`;
    counts.set(state.split(' ')[0]!, (counts.get(state.split(' ')[0]!) ?? 0) + 1);
    rows.push([p.cell.key, p.cell.id, state, slurmState, displayDir(p.runDir)]);
  }
  const summary = [...counts.entries()].map(([k, n]) => `${n} ${k}`).join(', ');
  const job = prep.state.slurm?.job_id ? `; Slurm job ${prep.state.slurm.job_id}${slurm === null ? ' (squeue/sacct not available)' : ''}` : '';
  return [header(prep), ...columns(rows), `${prep.plans.length} cells: ${summary}${job}`];
}

export interface SummaryCounts { done: number; skipped: number; failed: number; interrupted: number; refused: number; submitted: number }

/** The end-of-sweep table: what happened to each cell in this invocation, and the totals. */
export function summaryLines(prep: PreparedSweep, ran: Set<string>, seconds: number): { lines: string[]; counts: SummaryCounts } {
  const counts: SummaryCounts = { done: 0, skipped: 0, failed: 0, interrupted: 0, refused: 0, submitted: 0 };
  const rows = [['cell', 'result', 'time', 'run directory']];
  for (const p of prep.plans) {
    const rec = recordOf(prep, p);
    let result: string;
    if (p.action.kind === 'skip') {
      result = p.action.why === 'done' ? 'skipped (done)' : p.action.why === 'running' ? 'skipped (running)' : 'skipped (failed before)';
      if (p.action.why === 'failed') counts.failed++; else counts.skipped++;
    } else if (!ran.has(p.cell.key)) {
      result = rec?.status === 'submitted' ? 'submitted' : 'not started';
      if (rec?.status === 'submitted') counts.submitted++; else counts.interrupted++;
    } else {
      result = rec?.status === 'pending' ? 'not started' : rec?.status ?? 'unknown';
      if (result === 'done') counts.done++; else if (result === 'interrupted' || result === 'not started') counts.interrupted++; else counts.failed++;
    }
    const time = ran.has(p.cell.key) && rec?.seconds != null ? formatDuration(rec.seconds) : '—';
    rows.push([p.cell.key, result, time, displayDir(rec?.run_dir ?? p.runDir)]);
  }
  const total = `${prep.plans.length} cells: ${counts.done} done, ${counts.skipped} skipped, ${counts.failed} failed`
    + `${counts.interrupted ? `, ${counts.interrupted} interrupted` : ''}${counts.submitted ? `, ${counts.submitted} submitted` : ''} in ${formatDuration(seconds)}`;
  return { lines: [...columns(rows), total], counts };
}
