// `sg3 validate` through main(): the broken-config table (test/fixtures/bad/*.yaml, each with its exact
// expected stderr in a .expected file and optional flags in a .args file), and the ok / --print paths.
import test from 'ava';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runMain as run } from './_main.ts';
import { loadConfig } from '../../src/config/index.ts';
import { REPO_ROOT } from '../_golden.ts';

const BAD = 'test/fixtures/bad';
const CONFIGS = readdirSync(join(REPO_ROOT, 'configs')).filter((f) => f.endsWith('.yaml')).map((f) => `configs/${f}`);

process.chdir(REPO_ROOT);  // error lines name files relative to the working directory
const cases = readdirSync(join(REPO_ROOT, BAD)).filter((f) => f.endsWith('.yaml') && !f.startsWith('_')).sort();

test('the table holds at least 25 distinct broken configs, each with its expected error', (t) => {
  t.true(cases.length >= 25, `${cases.length} cases`);
  const expected = cases.map((f) => readFileSync(join(REPO_ROOT, BAD, f.replace(/\.yaml$/, '.expected')), 'utf8'));
  t.is(new Set(expected).size, cases.length);
});

for (const file of cases) {
  test.serial(`bad=${file} prints its exact error lines and exits 2`, async (t) => {
    const argsFile = join(REPO_ROOT, BAD, file.replace(/\.yaml$/, '.args'));
    const args = existsSync(argsFile) ? readFileSync(argsFile, 'utf8').split('\n').filter((l) => l !== '') : [];
    const expected = readFileSync(join(REPO_ROOT, BAD, file.replace(/\.yaml$/, '.expected')), 'utf8');
    const r = await run(['validate', `${BAD}/${file}`, ...args]);
    t.is(r.code, 2);
    t.is(r.err, expected);
    t.is(r.out, '');
    t.false(/\n\s+at /.test(r.err), 'no stack trace');
  });
}

test.serial('every config prints ok, in argument order, exit 0', async (t) => {
  const r = await run(['validate', ...CONFIGS]);
  t.is(r.err, '');
  t.is(r.code, 0);
  t.is(r.out, CONFIGS.map((f) => `ok ${f}\n`).join(''));
});

test.serial('good and bad files together: ok for the good, every error for the bad, exit 2', async (t) => {
  const r = await run(['validate', 'configs/stylegan2.yaml', `${BAD}/rule-filter-size-odd.yaml`, `${BAD}/enum-filter-kind.yaml`]);
  t.is(r.code, 2);
  t.is(r.out, 'ok configs/stylegan2.yaml\n');
  t.is(r.err, readFileSync(join(REPO_ROOT, BAD, 'rule-filter-size-odd.expected'), 'utf8')
    + readFileSync(join(REPO_ROOT, BAD, 'enum-filter-kind.expected'), 'utf8'));
});

test.serial('--print writes the resolved config (with --profile and --set applied) as YAML', async (t) => {
  const args = ['--profile', 'smoke', '--set', 'train.kimg=0.032', '--set', 'loss.r1_gamma=0.5'];
  const r = await run(['validate', 'configs/stylegan3-r.yaml', ...args, '--print']);
  t.is(r.code, 0);
  const printed = parseAllDocuments(r.out).map((d) => d.toJS());
  const expected = loadConfig('configs/stylegan3-r.yaml', { profile: 'smoke', set: ['train.kimg=0.032', 'loss.r1_gamma=0.5'] });
  t.deepEqual(printed, [expected]);
  t.is(expected.train.kimg, 0.032);
  t.is(expected.generator.conv_kernel, 1);
});

test.serial('--print of several files is a YAML stream, one document per file', async (t) => {
  const r = await run(['validate', '--print', 'configs/stylegan2.yaml', 'configs/stylegan3-t.yaml']);
  t.is(r.code, 0);
  t.deepEqual(parseAllDocuments(r.out).map((d) => d.toJS().name), ['stylegan2', 'stylegan3-t']);
  t.regex(r.out, /^--- # configs\/stylegan2\.yaml\n/);
});

test.serial('a missing config file is a one-line error, exit 2', async (t) => {
  const r = await run(['validate', 'configs/nope.yaml']);
  t.is(r.code, 2);
  t.is(r.err, 'configs/nope.yaml: file not found\n');
});
