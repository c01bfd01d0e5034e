// `sg3 sweep` through main() in-process: --dry-run output, a bad cell failing the sweep up front,
// usage errors. (The full run lifecycle with a fake `sg3 run` is in sweep-local.test.ts.)
import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runMain as sg3 } from './_main.ts';
import { tempDir, writeExperiment } from '../sweep/_helpers.ts';

test.serial('--dry-run lists cells, flags, actions and cost, and writes nothing', async (t) => {
  const runs = join(tempDir(t), 'runs');
  const r = await sg3(['sweep', 'experiments/fig3-left.yaml', '--profile', 'smoke', '--dry-run', '--runs-dir', runs]);
  t.is(r.code, 0, r.err);
  const lines = r.out.split('\n');
  t.is(lines[0], `sweep fig3-left: 10 cells (10 cases x 1 seed), profile smoke, in ${join(runs, 'fig3-left-smoke')}`);
  t.is(lines[1], 'profile smoke keeps its own train.batch, generator.channels.base, discriminator.channels.base, discriminator.mbstd_group_size (the experiment\'s values apply without a profile)');
  t.regex(r.out, /^A s0 {2}\[[0-9a-f]{10}\] {2}run$/m);
  t.regex(r.out, /^ {4}configs\/stylegan2\.yaml --profile smoke$/m);
  t.regex(r.out, /^ {6}--set optim\.generator\.lr=0\.0025$/m);
  t.regex(r.out, /^ {4}cost: [\d.]+ [MG]FLOP\/image \(G \+ D forward\) x 16 images = [\d.]+ [MGT]FLOP$/m);
  t.regex(r.out, /^total: [\d.]+ [GT]FLOP \(forward FLOPs x images, all cells\); 10 of 10 cells would run$/m);
  t.false(existsSync(runs));
});

test.serial('a bad cell fails the sweep before anything runs (exit 2, one line)', async (t) => {
  const dir = tempDir(t);
  const exp = writeExperiment(dir, 'bad.yaml', [
    'name: bad', 'base: @CONFIGS@/stylegan3-t.yaml', 'profile: smoke', 'cases:',
    '  - {name: ok}', '  - {name: typo, set: {loss.r1_gama: 2}}', '',
  ].join('\n'));
  const r = await sg3(['sweep', exp, '--runs-dir', join(dir, 'runs')]);
  t.is(r.code, 2);
  t.is(r.err, `${exp}:6:24: cell "typo": loss.r1_gama: unknown key (did you mean loss.r1_gamma?)\n`);
  t.false(existsSync(join(dir, 'runs')));
});

test.serial('usage errors: --jobs, --gpus, --launcher', async (t) => {
  t.is((await sg3(['sweep', 'experiments/fig3-left.yaml', '--jobs', '0'])).err, 'sg3 sweep: --jobs: must be a positive integer (got "0")\n');
  t.is((await sg3(['sweep', 'experiments/fig3-left.yaml', '--gpus', '0,0'])).err, 'sg3 sweep: --gpus: must be distinct GPU indices separated by commas, e.g. 0,1 (got "0,0")\n');
  const r = await sg3(['sweep', 'experiments/fig3-left.yaml', '--launcher', 'pbs']);
  t.is(r.code, 2);
  t.is(r.err, 'sg3 sweep: --launcher: must be local or slurm (got "pbs")\n');
});
