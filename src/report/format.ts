/**
 * TableModel -> text: Markdown (default), CSV, LaTeX (booktabs). A missing value is a dash in
 * every format (Markdown and CSV "—", LaTeX "---", which typesets as an em dash), never 0.
 * Numbers keep two decimals, as the paper prints them; ours is "mean ± std" over seeds when a row
 * has several values.
 */
import type { TableCell, TableModel } from './table.ts';

export type TableFormat = 'md' | 'csv' | 'latex';
export const TABLE_FORMATS: readonly TableFormat[] = ['md', 'csv', 'latex'];

export const DASH = '—';
const fix = (v: number) => v.toFixed(2);
const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;

function ours(c: TableCell, pm: string, dash: string): string {
  if (c.mean === null) return dash;
  return c.std !== null ? `${fix(c.mean)} ${pm} ${fix(c.std)}` : fix(c.mean);
}

function caption(t: TableModel): string {
  const profile = t.profile === null ? 'full size' : `profile ${t.profile}`;
  const seeds = Math.max(0, ...t.rows.map((r) => r.seeds));
  return `${t.title} (${profile}, ${seeds} seed${seeds === 1 ? '' : 's'} per row)`;
}

function notes(t: TableModel): string[] {
  const lines: string[] = [];
  const rho = t.columns.map((c, i) => ({ c, s: t.spearman[i]! })).filter(({ c }) => c.quantity !== null)
    .map(({ c, s }) => `${c.label} ${s.rho === null ? `${DASH} (n=${s.n})` : `${s.rho.toFixed(2)} (n=${s.n})`}`);
  if (rho.length > 0) lines.push(`Spearman rank correlation, ours vs paper (rows with both): ${rho.join('; ')}.`);
  const sources = t.columns.filter((c) => c.metrics.length > 0).map((c) => `${c.label} = ${c.metrics.join(', ')}`);
  if (sources.length > 0) lines.push(`Ours: ${sources.join('; ')}; mean ± sample std over seeds where a row has several.`);
  if (t.pending.length > 0) lines.push(`No finished run yet: ${t.pending.join(', ')}.`);
  return lines;
}

/** The values of one row in display order: per paper column paper/ours/delta, per extra metric ours. */
function rowValues(t: TableModel, r: TableModel['rows'][number], pm: string, dash: string): string[] {
  return t.columns.flatMap((c, i) => {
    const cell = r.cells[i]!;
    if (c.quantity === null) return [ours(cell, pm, dash)];
    return [cell.paper === null ? dash : fix(cell.paper), ours(cell, pm, dash), cell.delta === null ? dash : signed(cell.delta)];
  });
}

export function renderMarkdown(t: TableModel): string {
  const head = ['row', ...t.columns.flatMap((c) => (c.quantity === null ? [`${c.label} ours`] : [`${c.label} paper`, `${c.label} ours`, 'Δ']))];
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    `**${t.name}**: ${caption(t)}`,
    '',
    `| ${head.map(esc).join(' | ')} |`,
    `| --- | ${head.slice(1).map(() => '---:').join(' | ')} |`,
    ...t.rows.map((r) => `| ${[esc(r.label), ...rowValues(t, r, '±', DASH)].join(' | ')} |`),
    '',
    ...notes(t),
  ];
  return `${lines.join('\n')}\n`;
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * One line per row: row, seeds, and per paper column `<q>_paper,<q>_mean,<q>_std,<q>_n,<q>_delta`
 * (extra metrics: mean, std, n). A last row `spearman_rho` carries rho in the mean column and the
 * number of pairs in the n column.
 */
export function renderCsv(t: TableModel): string {
  const key = (c: TableModel['columns'][number]) => c.quantity ?? c.label.toLowerCase().replace(/[^a-z0-9@]+/g, '_');
  const head = ['row', 'seeds', ...t.columns.flatMap((c) => {
    const k = key(c);
    return c.quantity === null ? [`${k}_mean`, `${k}_std`, `${k}_n`] : [`${k}_paper`, `${k}_mean`, `${k}_std`, `${k}_n`, `${k}_delta`];
  })];
  // 12 significant digits: the float noise of a subtraction (11.579999999999998) is not data.
  const num = (v: number | null) => (v === null ? DASH : String(Number(v.toPrecision(12))));
  const lines = [head.join(',')];
  for (const r of t.rows) {
    const vals = t.columns.flatMap((c, i) => {
      const cell = r.cells[i]!;
      const ourPart = [num(cell.mean), num(cell.std), String(cell.n)];
      return c.quantity === null ? ourPart : [num(cell.paper), ...ourPart, num(cell.delta)];
    });
    lines.push([csvField(r.label), String(r.seeds), ...vals].join(','));
  }
  const rho = t.columns.flatMap((c, i) => {
    const s = t.spearman[i]!;
    return c.quantity === null ? [DASH, DASH, DASH] : [DASH, num(s.rho), DASH, String(s.n), DASH];
  });
  lines.push(['spearman_rho', DASH, ...rho].join(','));
  return `${lines.join('\n')}\n`;
}

export function latexEscape(s: string): string {
  return s.replace(/[\\{}&%$#_^~]/g, (ch) => ({
    '\\': '\\textbackslash{}', '{': '\\{', '}': '\\}', '&': '\\&', '%': '\\%', '$': '\\$', '#': '\\#', '_': '\\_', '^': '\\^{}', '~': '\\~{}',
  } as Record<string, string>)[ch]!);
}

export function renderLatex(t: TableModel): string {
  const spec = `l${t.columns.map((c) => (c.quantity === null ? 'r' : 'rrr')).join('')}`;
  const groups = t.columns.map((c) => (c.quantity === null ? latexEscape(c.label) : `\\multicolumn{3}{c}{${latexEscape(c.label)}}`));
  const sub = t.columns.flatMap((c) => (c.quantity === null ? ['ours'] : ['paper', 'ours', '$\\Delta$']));
  const lines = [
    '% Generated by `sg3 table`; needs \\usepackage{booktabs}.',
    '\\begin{table}[t]',
    '\\centering',
    `\\caption{${latexEscape(caption(t))}}`,
    `\\begin{tabular}{${spec}}`,
    '\\toprule',
    ` & ${groups.join(' & ')} \\\\`,
    `Config & ${sub.join(' & ')} \\\\`,
    '\\midrule',
    ...t.rows.map((r) => `${latexEscape(r.label)} & ${rowValues(t, r, '$\\pm$', '---').join(' & ')} \\\\`),
    '\\bottomrule',
    '\\end{tabular}',
    '\\end{table}',
    ...notes(t).map((n) => `% ${n}`),
  ];
  return `${lines.join('\n')}\n`;
}

export function renderTable(t: TableModel, format: TableFormat): string {
  switch (format) {
    case 'md': return renderMarkdown(t);
    case 'csv': return renderCsv(t);
    case 'latex': return renderLatex(t);
  }
}
