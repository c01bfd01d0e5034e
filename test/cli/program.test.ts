// The lazy program: each verb's one-line summary in program.ts lists exactly as its module's own
// registration does, and the verbs that do not compute never load tfjs.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKEND_NAMES } from '../../src/backend/index.ts';
import { buildProgram, requestedVerb } from '../../src/cli/program.ts';
import { listMetrics } from '../../src/metrics/names.ts';
import { REPO_ROOT } from '../_golden.ts';

const VERBS = ['validate', 'plan', 'dataset', 'generate', 'run', 'metrics', 'sweep', 'table'];

test('requestedVerb: the verb run or asked help for, else null', (t) => {
  t.is(requestedVerb(['run', 'configs/x.yaml', '--kimg', '1']), 'run');
  t.is(requestedVerb(['help', 'metrics']), 'metrics');
  t.is(requestedVerb(['help']), null);
  t.is(requestedVerb(['--help']), null);
  t.is(requestedVerb(['-V']), null);
  t.is(requestedVerb([]), null);
});

for (const verb of VERBS) {
  test(`verb=${verb}: the top-level help is the same with its module loaded as with its summary`, async (t) => {
    const summaries = (await buildProgram([])).helpInformation();
    const loaded = await buildProgram([verb]);
    t.true(loaded.commands.find((c) => c.name() === verb)!.options.length > 0, 'the real registration was loaded');
    t.is(loaded.helpInformation(), summaries);
  });
}

/** Runs main(argv) in a fresh process; whether tfjs-core's engine was created by the end. */
function loadsTfjs(argv: string[]): { code: number | null; tfjs: boolean } {
  const script = [
    "const { main } = await import('./src/cli/program.ts');",
    'const code = await main(JSON.parse(process.env.SG3_TEST_ARGV));',
    "process.stderr.write(`\\nTFJS=${globalThis._tfengine !== undefined} CODE=${code}\\n`);",
  ].join('\n');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, SG3_TEST_ARGV: JSON.stringify(argv) },
  });
  const m = /TFJS=(true|false) CODE=(\d+)\n$/.exec(r.stderr);
  if (!m) throw new Error(`no marker in the child's stderr (got ${JSON.stringify(r.stderr.slice(-500))})`);
  return { code: Number(m[2]), tfjs: m[1] === 'true' };
}

const CASES: [string[], number, boolean][] = [
  [['--help'], 0, false],
  [['validate', 'configs/stylegan3-r.yaml'], 0, false],
  [['plan', 'configs/stylegan3-r.yaml', '--json'], 0, false],
  [['generate', '--help'], 0, false],  // generate, run and metrics import tfjs inside their actions
  [['run', '--help'], 0, false],
  [['metrics', '--help'], 0, false],
  [['run', '--kimg', '0'], 2, false],  // a flag error, found before anything heavy is imported
  [['metrics', '--run', 'no-such-run', '--metrics', 'no_such_metric'], 2, false], // names come from metrics/names.ts
  // a config's misspelt metric name stops `sg3 run` before the backend (and before any run directory)
  [['run', 'configs/stylegan3-t.yaml', '--profile', 'smoke', '--runs-dir', join(tmpdir(), 'sg3-program-test-no-run'), '--set', 'metrics.names=[fid50k_fulll]'], 2, false],
  // a metrics run gets as far as the backend and the generator's weights: the probe can tell
  [['metrics', '--config', 'configs/stylegan3-r.yaml', '--weights', 'no-such.safetensors', '--metrics', 'eqr50k', '--backend', 'cpu'], 1, true],
];

for (const [argv, code, expected] of CASES) {
  test(`argv=${argv.join(' ')}: tfjs ${expected ? 'loaded' : 'not loaded'}, exit ${code}`, (t) => {
    t.deepEqual(loadsTfjs(argv), { code, tfjs: expected });
  });
}

/** A verb's own --help text, words joined by single spaces (commander wraps long descriptions). */
async function verbHelp(verb: string): Promise<string> {
  const program = await buildProgram([verb]);
  return program.commands.find((c) => c.name() === verb)!.helpInformation().replace(/\s+/g, ' ');
}

// run and metrics list the backends from the schema and the metric names from metrics/names.ts, to keep tfjs out of --help
test('verb=run: --help lists backend/\'s BACKEND_NAMES', async (t) => {
  t.true((await verbHelp('run')).includes(`(${BACKEND_NAMES.join(', ')})`));
});

test('verb=metrics: --help lists backend/\'s BACKEND_NAMES and exactly the metric names', async (t) => {
  const help = await verbHelp('metrics');
  t.true(help.includes(`tfjs backend: ${BACKEND_NAMES.join(' | ')} (default`));
  t.true(help.includes(`; valid: ${listMetrics().join(', ')} --num`), help);
});
