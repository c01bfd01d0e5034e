// `sg3 run` checks a config's metrics.names (and metrics.num) against metrics/names.ts before it
// starts: config/ cannot (it must not import metrics/), and without this check a typo surfaced at
// train start (after the run directory existed) or, on resume, at the first evaluation.
import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { executeRun, type RunFlags } from '../../src/cli/run.ts';
import { ConfigError } from '../../src/errors.ts';
import { officialMetricNames } from '../../src/metrics/names.ts';
import { RunDirectory, readRunInfo, type TrainEntry } from '../../src/train/run/index.ts';
import { REPO_ROOT } from '../_golden.ts';
import { testTempDir } from '../_tmp.ts';
import { awkwardTensors, smokeConfig } from '../train/run/_helpers.ts';

const CONFIG = join(REPO_ROOT, 'configs', 'stylegan3-t.yaml');
const VALID = officialMetricNames().join(', ');

/** executeRun with a train() that only counts its calls; the error it ends with, or null. */
async function run(file: string | undefined, flags: RunFlags): Promise<{ error: unknown; trained: number }> {
  let trained = 0;
  const train: TrainEntry = async () => { trained++; };
  const error = await executeRun(file, { backend: 'cpu', ...flags }, { loadTrain: async () => train, stderr: false, isTTY: false })
    .then(() => null, (e: unknown) => e);
  return { error, trained };
}

test.serial('a misspelt metrics.names entry is one ConfigError line naming it and the valid names; nothing is created', async (t) => {
  const runsDir = join(testTempDir(t, 'sg3-run-names-'), 'runs');
  const { error, trained } = await run(CONFIG, { profile: 'smoke', runsDir, set: ['metrics.names=[eqt50k_int, fid50k_fulll]'] });
  t.true(error instanceof ConfigError);
  t.deepEqual((error as ConfigError).lines, [`${CONFIG}: metrics.names[1]: unknown metric (got "fid50k_fulll"; valid: ${VALID})`]);
  t.is(trained, 0);
  t.false(existsSync(runsDir));
});

test.serial('metrics.num 1 (the schema allows it, the metrics need 2) is refused only when there are metrics to run', async (t) => {
  const runsDir = join(testTempDir(t, 'sg3-run-names-'), 'runs');
  const bad = await run(CONFIG, { profile: 'smoke', runsDir, set: ['metrics.names=[eqr50k]', 'metrics.num=1'] });
  t.deepEqual((bad.error as ConfigError).lines, [`${CONFIG}: metrics.num: must be an integer >= 2 or null (got 1)`]);
  t.false(existsSync(runsDir));
  const none = await run(CONFIG, { profile: 'smoke', runsDir, kimg: '1', set: ['metrics.names=[]', 'metrics.num=1'] });
  t.is(none.error, null);
  t.is(none.trained, 1);
});

test.serial('the official names pass (the check does not refuse what the metrics accept)', async (t) => {
  const runsDir = join(testTempDir(t, 'sg3-run-names-'), 'runs');
  const { error, trained } = await run(CONFIG, { profile: 'smoke', runsDir, kimg: '1', set: [`metrics.names=[${VALID}]`, 'metrics.num=16'] });
  t.is(error, null);
  t.is(trained, 1);
});

test.serial('resume: a misspelt name in the run\'s config.yaml stops it before training, not at the first evaluation', async (t) => {
  const { config, plan } = smokeConfig();
  config.metrics.names = ['eqr50kk'];
  const dir = RunDirectory.create({ config, plan, log: { format: 'json', stderr: false }, runsDir: testTempDir(t, 'sg3-run-names-') });
  dir.writeCheckpoint('000001', awkwardTensors(), { step: 1, cur_nimg: 1000 });
  dir.close('stopped');
  const { error, trained } = await run(undefined, { resume: dir.path });
  t.deepEqual((error as ConfigError).lines, [`${join(dir.path, 'config.yaml')}: metrics.names[0]: unknown metric (got "eqr50kk"; valid: ${VALID})`]);
  t.is(trained, 0);
  t.false(existsSync(join(dir.path, '.lock')));
  t.is(readRunInfo(join(dir.path, 'run.json')).status, 'failed');
});
