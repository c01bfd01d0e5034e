// The paper table from runs: mean ± std over seeds, deltas, missing values as dashes (never 0),
// Spearman's rho; the three formats in full; the chart PNG decodes.
import test, { type ExecutionContext } from 'ava';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { buildTable, renderChart, renderCsv, renderLatex, renderMarkdown, type TableInput } from '../../src/report/index.ts';
import { tempDir } from '../sweep/_helpers.ts';
import { fakeRun } from './_runs.ts';

function input(t: ExecutionContext): TableInput {
  const d = tempDir(t, 'sg3-table-');
  const run = (name: string, m: Record<string, number>, status = 'done') => ({ runDir: fakeRun(join(d, name), m, status) });
  const names = ['fid50k_full', 'eqt50k_int'];
  return {
    name: 'demo', title: 'Demo table', profile: 'smoke',
    rows: [
      { label: 'A', paper: { fid: 5.0, eqt: null, eqr: null }, metrics: names, runs: [
        { seed: 0, done: true, ...run('a0', { fid50k_full: 6 }) },
        { seed: 1, done: true, ...run('a1', { fid50k_full: 8 }) }] },
      { label: 'f_t0=2^1.5', paper: { fid: 4.0, eqt: 20, eqr: null }, metrics: names, runs: [
        { seed: 0, done: true, ...run('b0', { fid50k_full: 5, eqt50k_int: 30, kid50k_full: 0.5 }) },
        { seed: 1, done: false, ...run('b1', { fid50k_full: 100 }, 'failed') }] },
      { label: 'C', paper: { fid: 6.0, eqt: 40, eqr: null }, metrics: names, runs: [
        { seed: 0, done: true, ...run('c0', { fid50k_full: 7, eqt50k_int: 35 }) },
        { seed: 1, done: true, ...run('c1', { fid50k_full: 7 }) }] },
      { label: 'D', paper: null, metrics: names, runs: [{ seed: 0, done: false, runDir: null }, { seed: 1, done: false, runDir: null }] },
    ],
  };
}

test('buildTable: mean ± std over the seeds that have a value, deltas, nulls, Spearman, pending rows', (t) => {
  const m = buildTable(input(t));
  t.deepEqual(m.columns.map((c) => [c.label, c.metrics]), [['FID', ['fid50k_full']], ['EQ-T', ['eqt50k_int']]]);
  const [a, b, c, d] = m.rows;
  t.deepEqual(a!.cells[0], { paper: 5, mean: 7, std: Math.SQRT2, n: 2, delta: 2 });
  t.deepEqual(a!.cells[1], { paper: null, mean: null, std: null, n: 0, delta: null });
  t.deepEqual(b!.cells[0], { paper: 4, mean: 5, std: null, n: 1, delta: 1 }, 'the failed seed does not count');
  t.deepEqual(c!.cells[1], { paper: 40, mean: 35, std: null, n: 1, delta: -5 });
  t.true(d!.cells.every((x) => x.mean === null && x.paper === null));
  // FID paper (5, 4, 6) vs ours (7, 5, 7): ranks (2, 1, 3) vs (2.5, 1, 2.5).
  t.true(Math.abs(m.spearman[0]!.rho! - 0.8660254037844387) < 1e-12);
  t.is(m.spearman[0]!.n, 3);
  t.deepEqual(m.spearman[1], { rho: null, n: 2 });
  t.deepEqual(m.pending, ['D']);
});

test('markdown: the whole text', (t) => {
  t.is(renderMarkdown(buildTable(input(t))), [
    '**demo**: Demo table (profile smoke, 2 seeds per row)',
    '',
    '| row | FID paper | FID ours | Δ | EQ-T paper | EQ-T ours | Δ |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    '| A | 5.00 | 7.00 ± 1.41 | +2.00 | — | — | — |',
    '| f_t0=2^1.5 | 4.00 | 5.00 | +1.00 | 20.00 | 30.00 | +10.00 |',
    '| C | 6.00 | 7.00 ± 0.00 | +1.00 | 40.00 | 35.00 | -5.00 |',
    '| D | — | — | — | — | — | — |',
    '',
    'Spearman rank correlation, ours vs paper (rows with both): FID 0.87 (n=3); EQ-T — (n=2).',
    'Ours: FID = fid50k_full; EQ-T = eqt50k_int; mean ± sample std over seeds where a row has several.',
    'No finished run yet: D.',
    '',
  ].join('\n'));
});

test('csv: numbers in full, dashes for missing (never 0), Spearman as the last row', (t) => {
  t.is(renderCsv(buildTable(input(t))), [
    'row,seeds,fid_paper,fid_mean,fid_std,fid_n,fid_delta,eqt_paper,eqt_mean,eqt_std,eqt_n,eqt_delta',
    'A,2,5,7,1.41421356237,2,2,—,—,—,0,—',
    'f_t0=2^1.5,2,4,5,—,1,1,20,30,—,1,10',
    'C,2,6,7,0,2,1,40,35,—,1,-5',
    'D,2,—,—,—,0,—,—,—,—,0,—',
    'spearman_rho,—,—,0.866025403784,—,3,—,—,—,—,2,—',
    '',
  ].join('\n'));
});

test('latex: booktabs, escaped labels, $\\pm$, --- for missing', (t) => {
  const text = renderLatex(buildTable(input(t)));
  const lines = text.split('\n');
  t.true(lines.includes('\\begin{tabular}{lrrrrrr}'));
  t.true(lines.includes(' & \\multicolumn{3}{c}{FID} & \\multicolumn{3}{c}{EQ-T} \\\\'));
  t.true(lines.includes('Config & paper & ours & $\\Delta$ & paper & ours & $\\Delta$ \\\\'));
  t.true(lines.includes('A & 5.00 & 7.00 $\\pm$ 1.41 & +2.00 & --- & --- & --- \\\\'));
  t.true(lines.includes('f\\_t0=2\\^{}1.5 & 4.00 & 5.00 & +1.00 & 20.00 & 30.00 & +10.00 \\\\'));
  t.true(lines.includes('\\caption{Demo table (profile smoke, 2 seeds per row)}'));
  t.is(lines.filter((l) => l.startsWith('%')).length, 4);
  t.false(/(^|[^0-9.])0\.00 &/.test(lines.find((l) => l.startsWith('D &'))!));
});

test('chart: a PNG with one panel per paper column, white background, our points drawn', (t) => {
  const png = PNG.sync.read(Buffer.from(renderChart(buildTable(input(t)))!));
  t.is(png.width, 2 * 260);
  t.is(png.height, 300);
  const px = (x: number, y: number) => [...png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 3)];
  t.deepEqual(px(png.width - 1, png.height - 1), [255, 255, 255]);
  let blue = 0;
  for (let i = 0; i < png.data.length; i += 4) if (png.data[i] === 31 && png.data[i + 1] === 90 && png.data[i + 2] === 180) blue++;
  t.true(blue >= 3 * 25, `points drawn (${blue} blue pixels)`);
  const none = buildTable({ name: 'x', title: 'x', profile: null, rows: [{ label: 'r', paper: null, metrics: ['kid50k_full'], runs: [] }] });
  t.is(renderChart(none), null);
});
