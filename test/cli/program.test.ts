// The lazy program: each verb's one-line summary in program.ts lists exactly as its module's own
// registration does, and the verbs that do not compute never load tfjs.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { buildProgram, requestedVerb } from '../../src/cli/program.ts';
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

const CASES: [string[], boolean][] = [
  [['--help'], false],
  [['validate', 'configs/stylegan3-r.yaml'], false],
  [['plan', 'configs/stylegan3-r.yaml', '--json'], false],
  [['generate', '--help'], false],  // generate imports tfjs inside its action
  [['metrics', '--help'], true],    // a verb that imports tfjs at the top does load it: the probe can tell
];

for (const [argv, expected] of CASES) {
  test(`argv=${argv.join(' ')}: tfjs ${expected ? 'loaded' : 'not loaded'}, exit 0`, (t) => {
    t.deepEqual(loadsTfjs(argv), { code: 0, tfjs: expected });
  });
}
