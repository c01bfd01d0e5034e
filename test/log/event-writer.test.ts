import test, { type ExecutionContext } from 'ava';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { EventWriter, writeHParamsExperiment } from '../../src/log/event-writer.ts';
import { encodePng } from '../../src/log/png.ts';
import { REPO_ROOT } from '../_golden.ts';
import { tbcheck } from './_tbcheck.ts';
import { testTempDir } from '../_tmp.ts';

const tmp = (t: ExecutionContext) => testTempDir(t, 'sg3-tb-');

/** A clock that advances by 0.25 s per call, starting at t0. */
function fakeClock(t0: number): () => number {
  let t = t0 - 0.25;
  return () => (t += 0.25);
}

/** One run per gamma under root: a session, two FID points, an end status. */
function writeRuns(root: string, gammas: number[]): void {
  gammas.forEach((gamma, i) => {
    const w = new EventWriter(join(root, `gamma${gamma}`), { clock: fakeClock(1_700_000_000 + i * 100) });
    w.hparams({ hparams: { gamma, cfg: 'stylegan3-r' } });
    w.scalar('Metrics/fid', 50 + gamma, 1000);
    w.scalar('Metrics/fid', 10 + gamma, 2000);
    w.endSession(i === 0 ? 'success' : 'failure', 2000);
    w.close();
  });
}

function gradientPng(w: number, h: number, c: number): Uint8Array {
  const px = new Uint8Array(w * h * c);
  for (let i = 0; i < px.length; i++) px[i] = (i * 37) % 256;
  return encodePng(px, w, h, c);
}

test('every record kind passes tbcheck --strict and reads back exactly', (t) => {
  const dir = tmp(t);
  const w = new EventWriter(dir, { clock: fakeClock(1_700_000_000) });
  w.hparams({
    hparams: { cfg: 'stylegan3-t', gamma: 8.2, mirror: true, batch: 32 },
    metrics: ['Metrics/fid50k_full', { tag: 'Loss/G/loss', display_name: 'G loss' }],
    domains: { cfg: ['stylegan3-t', 'stylegan3-r'], gamma: { min: 0.5, max: 32 } },
  });
  const lossG = [2.5, 1.25, Math.PI, -0.1];
  for (let step = 0; step < lossG.length; step++) {
    w.scalars({ 'Loss/G/loss': lossG[step]!, 'Loss/D/loss': step / 3 }, step * 1000);
  }
  w.scalar('Metrics/fid50k_full', 123.456, 4000);
  w.scalar('Progress/nan', Number.NaN, 4000);
  const png3 = gradientPng(5, 3, 3);
  const png1 = gradientPng(4, 4, 1);
  w.image('fakes', png3, 5, 3, 3, 4000);
  w.image('fakes_gray', png1, 4, 4, 1, 4000);
  w.text('config', '# Config\n`gamma: 8.2` — ünïcödé ✓', 0);
  w.text('config', 'second **value**', 4000);
  w.endSession('success', 4000);
  w.close();

  const files = readdirSync(dir);
  t.is(files.length, 1);
  const run = tbcheck([join(dir, files[0]!)]);
  t.is(run.status, 0, run.stderr);
  const f = run.files[0];
  t.true(f.ok);
  t.deepEqual(f.errors, []);
  t.deepEqual(f.warnings, []);
  t.is(f.file_version, 'brain.Event:2');
  t.is(f.first_wall_time, 1_700_000_000);
  // file_version + experiment + session start + 4 scalar events + 2 scalars + 2 images + 2 texts + end
  t.is(f.records, 1 + 2 + 4 + 2 + 2 + 2 + 1);
  t.deepEqual(f.events, { file_version: 1, summary: 13 });

  t.deepEqual(f.scalars['Loss/G/loss'].forms, ['simple_value']);
  t.deepEqual(f.scalars['Loss/G/loss'].points.map((p: any) => [p.step, p.value]), lossG.map((v, i) => [i * 1000, Math.fround(v)]));
  t.deepEqual(f.scalars['Loss/D/loss'].points.map((p: any) => p.value), [0, 1, 2, 3].map((s) => Math.fround(s / 3)));
  t.deepEqual(f.scalars['Metrics/fid50k_full'].points.map((p: any) => [p.step, p.value]), [[4000, Math.fround(123.456)]]);
  t.is(f.scalars['Progress/nan'].points[0].value, 'NaN');
  // Wall times come from the clock, record by record, in order.
  const walls = f.scalars['Loss/G/loss'].points.map((p: any) => p.wall_time);
  t.deepEqual(walls, [...walls].sort((a: number, b: number) => a - b));
  t.true(walls.every((x: number) => x > 1_700_000_000 && x < 1_700_000_010));

  const fakes = f.images.fakes[0];
  t.is(fakes.step, 4000);
  t.is(fakes.form, 'Summary.Image');
  t.deepEqual(fakes.declared, { width: 5, height: 3, colorspace: 3 });
  t.like(fakes.images[0], { format: 'png', width: 5, height: 3, channels: 3, bit_depth: 8, bytes: png3.length });
  t.deepEqual(f.images.fakes_gray[0].declared, { width: 4, height: 4, colorspace: 1 });
  t.like(f.images.fakes_gray[0].images[0], { format: 'png', channels: 1, bytes: png1.length });

  t.deepEqual(f.text.config.map((x: any) => [x.step, x.value]), [[0, '# Config\n`gamma: 8.2` — ünïcödé ✓'], [4000, 'second **value**']]);

  const hp = f.hparams;
  t.deepEqual(hp.experiment.hparam_infos, [
    { name: 'cfg', type: 'DATA_TYPE_STRING', domain_discrete: ['stylegan3-t', 'stylegan3-r'] },
    { name: 'gamma', type: 'DATA_TYPE_FLOAT64', domain_interval: [0.5, 32] },
    { name: 'mirror', type: 'DATA_TYPE_BOOL' },
    { name: 'batch', type: 'DATA_TYPE_FLOAT64' },
  ]);
  t.deepEqual(hp.experiment.metric_infos.map((m: any) => [m.tag, m.display_name]), [['Metrics/fid50k_full', ''], ['Loss/G/loss', 'G loss']]);
  t.deepEqual(hp.session_start_info[0].hparams, { batch: 32, cfg: 'stylegan3-t', gamma: 8.2, mirror: true });
  t.deepEqual(hp.session_end_info.map((e: any) => e.status), ['STATUS_SUCCESS']);
});

test('a sweep: one experiment at the root, one session per run, last metric values listed', (t) => {
  const root = tmp(t);
  writeHParamsExperiment(root, { hparams: { gamma: 0, cfg: '' }, domains: { gamma: [2, 8] }, metrics: ['Metrics/fid'] });
  writeRuns(root, [2, 8]);
  const run = tbcheck([root]);
  t.is(run.status, 0, run.stderr);
  t.deepEqual(run.json.hparams_dashboard_warnings, []);
  t.deepEqual(run.json.hparams_dashboard.experiment.hparam_infos.map((h: any) => h.name), ['gamma', 'cfg']);
  const sessions = run.json.hparams_dashboard.sessions;
  t.deepEqual(sessions.map((s: any) => [s.session, s.hparams.gamma, s.status, s.metrics['Metrics/fid'].value]),
    [['gamma2', 2, 'STATUS_SUCCESS', 12], ['gamma8', 8, 'STATUS_FAILURE', 18]]);
});

test('independent runs without an experiment are still listed side by side', (t) => {
  const root = tmp(t);
  writeRuns(root, [2, 8]);
  const run = tbcheck([root]);
  t.is(run.status, 0, run.stderr);
  t.deepEqual(run.json.hparams_dashboard_warnings, []);
  t.is(run.json.hparams_dashboard.experiment, null);
  t.deepEqual(run.json.hparams_dashboard.sessions.map((s: any) => [s.hparams.gamma, s.metrics['Metrics/fid'].value]), [[2, 12], [8, 18]]);
});

test('two runs that each carry an experiment: tbcheck warns (TensorBoard uses only one)', (t) => {
  const root = tmp(t);
  for (const gamma of [2, 8]) {
    const w = new EventWriter(join(root, `gamma${gamma}`));
    w.hparams({ hparams: { gamma }, metrics: ['Metrics/fid'] });
    w.close();
  }
  const run = tbcheck([root]);
  t.is(run.status, 1);
  t.regex(run.json.hparams_dashboard_warnings.join('\n'), /another experiment/);
});

test('tbcheck catches a corrupted byte (the checks can fail)', (t) => {
  const dir = tmp(t);
  const w = new EventWriter(dir);
  w.scalar('x', 1, 1);
  w.close();
  const bytes = readFileSync(w.path);
  bytes[bytes.length - 6]! ^= 0x01;   // inside the last record's data
  writeFileSync(w.path, bytes);
  const run = tbcheck([w.path]);
  t.is(run.status, 1);
  t.false(run.files[0].ok);
  t.regex(run.files[0].errors.join('\n'), /crc/i);
});

test('file name is events.out.tfevents.<secs>.<host>.<pid>.<n>, unique per writer', (t) => {
  const dir = tmp(t);
  const a = new EventWriter(dir, { clock: () => 1_700_000_123.75 });
  const b = new EventWriter(dir, { clock: () => 1_700_000_123.75 });
  a.close(); b.close();
  const host = hostname().replace(/[^A-Za-z0-9._-]/g, '_');
  t.regex(basename(a.path), new RegExp(`^events\\.out\\.tfevents\\.1700000123\\.${host.replace(/\./g, '\\.')}\\.${process.pid}\\.\\d+$`));
  t.not(a.path, b.path);
});

test('records are buffered until flush(); close() writes the rest; writes after close throw', (t) => {
  const dir = tmp(t);
  const w = new EventWriter(dir, { flushSecs: 3600 });
  const afterHeader = readFileSync(w.path).length;
  t.true(afterHeader > 0);                       // file_version is written at once
  w.scalar('x', 1, 1);
  t.is(readFileSync(w.path).length, afterHeader);
  w.flush();
  t.true(readFileSync(w.path).length > afterHeader);
  w.scalar('x', 2, 2);
  w.close();
  t.is(tbcheck([w.path]).files[0].scalars.x.points.length, 2);
  t.throws(() => w.scalar('x', 3, 3), { message: /after close/ });
  t.throws(() => new EventWriter(dir).scalar('x', 1, -1), { message: /step must be a non-negative integer \(got -1\)/ });
});

test('pending records reach the file when the process exits without close()', (t) => {
  const dir = tmp(t);
  const script = `import { EventWriter } from ${JSON.stringify(join(REPO_ROOT, 'src/log/event-writer.ts'))};
    const w = new EventWriter(${JSON.stringify(dir)}, { flushSecs: 3600 }); w.scalar('x', 7, 3); process.exit(0);`;
  execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT });
  const run = tbcheck([dir]);
  t.is(run.status, 0, run.stderr);
  t.deepEqual(run.files[0].scalars.x.points.map((p: any) => [p.step, p.value]), [[3, 7]]);
});

test('hparams values must be strings, booleans or finite numbers', (t) => {
  const w = new EventWriter(tmp(t));
  t.throws(() => w.hparams({ hparams: { lr: Number.NaN } }), { message: 'EventWriter.hparams: lr must be a string, boolean or finite number (got NaN)' });
  t.throws(() => w.hparams({ hparams: { x: null as unknown as string } }), { message: /x must be/ });
  w.close();
});
