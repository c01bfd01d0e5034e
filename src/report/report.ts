/**
 * A sweep's runs -> the table input: the experiment's cells grouped into rows (a case and grid
 * point over its seeds), each seed's run directory from sweep.json or found by the cell's desc,
 * and whether that run finished. Then `sg3 table` as a function: render, write the chart.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { findRunDir, inspectRun, prepareSweep, type PreparedSweep } from '../sweep/index.ts';
import { renderChart } from './chart.ts';
import { renderTable, type TableFormat } from './format.ts';
import { buildTable, type TableInput, type TableRowInput } from './table.ts';

export function tableInputOf(prep: PreparedSweep): TableInput {
  const rows = new Map<string, TableRowInput>();
  for (const p of prep.plans) {
    const c = p.cell;
    let row = rows.get(c.group);
    if (!row) {
      row = { label: c.group || prep.exp.name, paper: c.paper, metrics: [...c.resolved.metrics.names], runs: [] };
      rows.set(c.group, row);
    }
    // Only a run of this exact config counts: the record's directory when its id matches, else
    // the newest directory named for this cell.
    const rec = prep.state.cells.find((r) => r.key === c.key && r.id === c.id);
    const dir = rec?.run_dir ?? findRunDir(prep.root, c.desc);
    row.runs.push({ seed: c.seed, runDir: dir, done: inspectRun(dir).state === 'done' });
  }
  const title = prep.exp.paper?.title ?? (prep.exp.description || prep.exp.name);
  return { name: prep.exp.name, title, profile: prep.expansion.profile, rows: [...rows.values()] };
}

export interface TableOptions {
  experiment: string;
  profile?: string | null;
  runsDir?: string | null;
  format?: TableFormat;
  out?: string | null;           // write the table here (and the chart beside it) instead of stdout
}

export interface TableResult { text: string; chart: string | null; outFile: string | null }

/** Renders the table; writes it to `out` when given, and the PNG chart next to it or in the sweep root. */
export function makeTable(opts: TableOptions): TableResult {
  const prep = prepareSweep({ experiment: opts.experiment, profile: opts.profile ?? null, runsDir: opts.runsDir ?? null });
  const model = buildTable(tableInputOf(prep));
  const text = renderTable(model, opts.format ?? 'md');
  if (opts.out) {
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, text);
  }
  const png = model.rows.some((r) => r.cells.some((c) => c.mean !== null)) ? renderChart(model) : null;
  let chart: string | null = null;
  if (png !== null) {
    chart = opts.out ? join(dirname(opts.out), `${baseName(opts.out)}.png`) : join(prep.root, 'table.png');
    if (opts.out && chart === join(dirname(opts.out), opts.out.slice(dirname(opts.out).length + 1))) chart = chart.replace(/\.png$/, '-chart.png');
    mkdirSync(dirname(chart), { recursive: true });
    writeFileSync(chart, png);
  }
  return { text, chart, outFile: opts.out ?? null };
}

function baseName(file: string): string {
  const name = file.slice(dirname(file).length + 1);
  return extname(name) ? name.slice(0, -extname(name).length) : name;
}
