/**
 * Runs -> the paper's table as data: one row per table row (a case and grid point, over its
 * seeds), one column per paper quantity (FID, EQ-T, EQ-R) with the paper's value, ours (mean ±
 * sample std over the seeds that have a value) and the delta, then any other measured metric
 * (ours only). A value that is missing stays null (printed as a dash, never as 0). Spearman's rho
 * compares our column with the paper's over the rows that have both.
 */
import type { PaperValues } from '../sweep/index.ts';
import { QUANTITIES, QUANTITY_LABEL, quantityOf, readRunMetrics, type Quantity } from './metrics.ts';
import { mean, sampleStd, spearman } from './stats.ts';

export interface TableRun { seed: number; runDir: string | null; done: boolean }

export interface TableRowInput {
  label: string;
  paper: PaperValues | null;
  metrics: string[];             // metrics.names of the row's cells (as configured)
  runs: TableRun[];              // one per seed
}

export interface TableInput {
  name: string;
  title: string;
  profile: string | null;
  rows: TableRowInput[];
}

export interface TableColumn {
  quantity: Quantity | null;     // null: a metric the paper has no column for (ours only)
  label: string;                 // FID, EQ-T, EQ-R, or the metric name
  metrics: string[];             // the metric names our values came from
}

export interface TableCell {
  paper: number | null;
  mean: number | null;
  std: number | null;            // null with fewer than two values
  n: number;                     // seeds with a value
  delta: number | null;          // ours - paper
}

export interface TableRow { label: string; seeds: number; cells: TableCell[] }

export interface TableModel {
  name: string;
  title: string;
  profile: string | null;
  columns: TableColumn[];
  rows: TableRow[];
  spearman: Array<{ rho: number | null; n: number }>;   // per column (null for ours-only columns)
  pending: string[];             // rows with no finished run yet
}

/** The metric value of `q` in one run: the configured name if present, else any name of that family. */
function pick(values: Map<string, number>, q: Quantity, configured: string[]): [string, number] | null {
  for (const name of configured) if (quantityOf(name) === q && values.has(name)) return [name, values.get(name)!];
  for (const [name, v] of values) if (quantityOf(name) === q) return [name, v];
  return null;
}

export function buildTable(input: TableInput): TableModel {
  const results = input.rows.map((row) => row.runs.map((r) => (r.done && r.runDir !== null ? readRunMetrics(r.runDir) : null)));
  const measured = new Set(input.rows.flatMap((r) => r.metrics));
  const columns: TableColumn[] = QUANTITIES
    .filter((q) => input.rows.some((r) => r.paper?.[q] != null) || [...measured].some((m) => quantityOf(m) === q))
    .map((q) => ({ quantity: q, label: QUANTITY_LABEL[q], metrics: [] as string[] }));
  for (const m of measured) if (quantityOf(m) === null) columns.push({ quantity: null, label: m, metrics: [] });

  const rows: TableRow[] = input.rows.map((row, i) => ({
    label: row.label,
    seeds: row.runs.length,
    cells: columns.map((col) => {
      const values: number[] = [];
      for (const res of results[i]!) {
        if (res === null) continue;
        const got = col.quantity !== null ? pick(res, col.quantity, row.metrics) : (res.has(col.label) ? [col.label, res.get(col.label)!] as [string, number] : null);
        if (got === null) continue;
        if (!col.metrics.includes(got[0])) col.metrics.push(got[0]);
        values.push(got[1]);
      }
      const paper = col.quantity !== null ? row.paper?.[col.quantity] ?? null : null;
      const m = values.length > 0 ? mean(values) : null;
      return { paper, mean: m, std: values.length > 1 ? sampleStd(values) : null, n: values.length, delta: m !== null && paper !== null ? m - paper : null };
    }),
  }));

  const spearmanOf = (c: number) => {
    if (columns[c]!.quantity === null) return { rho: null, n: 0 };
    const pairs = rows.map((r) => r.cells[c]!).filter((cell) => cell.paper !== null && cell.mean !== null);
    return { rho: spearman(pairs.map((p) => p.paper!), pairs.map((p) => p.mean!)), n: pairs.length };
  };
  return {
    name: input.name,
    title: input.title,
    profile: input.profile,
    columns,
    rows,
    spearman: columns.map((_, c) => spearmanOf(c)),
    pending: input.rows.filter((_, i) => results[i]!.every((r) => r === null)).map((r) => r.label),
  };
}
