// `sg3 table` through main(): the table of a sweep's finished runs (found by each cell's desc in
// runs/<sweep>-<profile>/), --format/--out, the chart written beside the output, usage errors.
import test, { type ExecutionContext } from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { runMain as sg3 } from './_main.ts';
import { expandCells, loadExperiment } from '../../src/sweep/index.ts';
import { tempDir, writeExperiment } from '../sweep/_helpers.ts';
import { fakeRun } from '../report/_runs.ts';

function setup(t: ExecutionContext) {
  const dir = tempDir(t, 'sg3-table-cli-');
  const exp = writeExperiment(dir, 'tbl.yaml', [
    'name: tbl', 'base: @CONFIGS@/stylegan3-t.yaml', 'seeds: [0, 1]', 'metrics: [fid50k_full, eqt50k_int, eqr50k]',
    'paper: {figure: x, title: "Table X"}',
    'cases:',
    '  - {name: T, paper: config}',
    '  - {name: n=4, set: {generator.filter.size: 4}, paper: {fid: 5.5, eqt: 50, eqr: 12}}',
    '  - {name: n=8, set: {generator.filter.size: 8}, paper: {fid: null, eqt: null, eqr: null}}', '',
  ].join('\n'));
  const runs = join(dir, 'runs');
  const root = join(runs, 'tbl-smoke');
  const cells = expandCells(loadExperiment(exp), { profile: 'smoke' }).cells;
  const values: Record<string, Record<string, number>> = {
    'T s0': { 'fid_full@16': 5, 'eqt_int@16': 60, 'eqr@16': 14 },
    'T s1': { 'fid_full@16': 7, 'eqt_int@16': 62, 'eqr@16': 12 },
    'n=4 s0': { 'fid_full@16': 6, 'eqt_int@16': 55, 'eqr@16': 11 },
  };
  cells.forEach((c, i) => { if (values[c.key]) fakeRun(join(root, `${String(i).padStart(5, '0')}-stylegan3-t-${c.desc}`), values[c.key]!); });
  return { dir, exp, runs, root };
}

test.serial('markdown on stdout from the runs; the chart goes to the sweep root', async (t) => {
  const { exp, runs, root } = setup(t);
  const r = await sg3(['table', exp, '--runs-dir', runs, '--profile', 'smoke']);
  t.is(r.code, 0, r.err);
  const lines = r.out.split('\n');
  t.is(lines[0], '**tbl**: Table X (profile smoke, 2 seeds per row)');
  t.is(lines[4], '| T | 4.62 | 6.00 ± 1.41 | +1.38 | 63.01 | 61.00 ± 1.41 | -2.01 | 13.12 | 13.00 ± 1.41 | -0.12 |');
  t.is(lines[5], '| n=4 | 5.50 | 6.00 | +0.50 | 50.00 | 55.00 | +5.00 | 12.00 | 11.00 | -1.00 |');
  t.is(lines[6], '| n=8 | — | — | — | — | — | — | — | — | — |');
  t.regex(r.out, /Ours: FID = fid_full@16; EQ-T = eqt_int@16; EQ-R = eqr@16;/);
  t.regex(r.out, /No finished run yet: n=8\./);
  t.is(r.err, `chart: ${join(root, 'table.png')}\n`);
  const png = PNG.sync.read(readFileSync(join(root, 'table.png')));
  t.is(png.width, 3 * 260);
});

test.serial('--format csv --out FILE writes the table and FILE.png beside it', async (t) => {
  const { dir, exp, runs } = setup(t);
  const out = join(dir, 'paper', 'tbl.csv');
  const r = await sg3(['table', exp, '--runs-dir', runs, '--profile', 'smoke', '--format', 'csv', '--out', out]);
  t.is(r.code, 0, r.err);
  t.is(r.out, '');
  t.is(r.err, `table: ${out}\nchart: ${join(dir, 'paper', 'tbl.png')}\n`);
  const csv = readFileSync(out, 'utf8').split('\n');
  t.is(csv[1], 'T,2,4.62,6,1.41421356237,2,1.38,63.01,61,1.41421356237,2,-2.01,13.12,13,1.41421356237,2,-0.12');
  t.is(csv[3], 'n=8,2,—,—,—,0,—,—,—,—,0,—,—,—,—,0,—');
  t.true(existsSync(join(dir, 'paper', 'tbl.png')));
});

test.serial('no runs yet: every value a dash, no chart; a bad --format is a usage error', async (t) => {
  const { exp, dir } = setup(t);
  const r = await sg3(['table', exp, '--runs-dir', join(dir, 'elsewhere'), '--format', 'latex']);
  t.is(r.code, 0, r.err);
  t.regex(r.out, /^T & 4\.62 & --- & --- & 63\.01 & --- & --- & 13\.12 & --- & --- \\\\$/m);
  t.is(r.err, 'chart: not written (no results yet)\n');
  const bad = await sg3(['table', exp, '--format', 'html']);
  t.is(bad.code, 2);
  t.is(bad.err, 'sg3 table: --format: must be one of md, csv, latex (got "html")\n');
});
