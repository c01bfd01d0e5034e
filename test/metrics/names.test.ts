// metrics/names.ts: the metric names without tfjs (what `sg3 metrics --help` and `sg3 run`'s config
// check use), and the registry built on them.
import test from 'ava';
import { METRIC_FAMILIES, isValidMetric, listMetrics, metricsConfigProblems, officialMetricNames, resolveMetric, type MetricFamily } from '../../src/metrics/names.ts';

test('importing names.ts loads no tfjs (this worker has imported nothing else from src/)', (t) => {
  t.is((globalThis as { _tfengine?: unknown })._tfengine, undefined);
});

test('listMetrics: every family\'s official name, then every family as <family>@N', (t) => {
  const families = Object.keys(METRIC_FAMILIES) as MetricFamily[];
  t.deepEqual(officialMetricNames(), ['fid50k_full', 'kid50k_full', 'eqt50k_int', 'eqt50k_frac', 'eqr50k', 'swd16k']);
  t.deepEqual(listMetrics(), [...officialMetricNames(), ...families.map((f) => `${f}@N`)]);
  for (const f of families) {
    const { official, num, description } = METRIC_FAMILIES[f];
    t.deepEqual(resolveMetric(official), { name: official, family: f, num, description });
    t.deepEqual(resolveMetric(`${f}@7`), { name: `${f}@7`, family: f, num: 7, description });
    t.is(resolveMetric(`${f}@${num}`).name, official); // the default count is the official name
  }
  t.false(isValidMetric('fid_full@N'));   // the listing's placeholder is not itself a name
  t.true(Object.isFrozen(METRIC_FAMILIES));
});

test('metricsConfigProblems: one line per unknown name (official names listed), metrics.num < 2 only with metrics to run', (t) => {
  const valid = officialMetricNames().join(', ');
  t.deepEqual(metricsConfigProblems({ names: officialMetricNames(), num: null }), []);
  t.deepEqual(metricsConfigProblems({ names: ['eqt50k_int'], num: 2 }), []);
  t.deepEqual(metricsConfigProblems({ names: ['fid50k_fulll', 'eqr50k', 'fid10k'], num: 1 }), [
    `metrics.names[0]: unknown metric (got "fid50k_fulll"; valid: ${valid})`,
    `metrics.names[2]: unknown metric (got "fid10k"; valid: ${valid})`,
    'metrics.num: must be an integer >= 2 or null (got 1)',
  ]);
  t.deepEqual(metricsConfigProblems({ names: [], num: 1 }), []);
});

test('the registry and the metrics index re-export the same bindings', async (t) => {
  const names = await import('../../src/metrics/names.ts');
  const registry = await import('../../src/metrics/registry.ts');
  const index = await import('../../src/metrics/index.ts');
  for (const k of ['listMetrics', 'resolveMetric', 'isValidMetric', 'officialMetricNames'] as const) {
    t.is(registry[k], names[k], k);
    t.is(index[k], names[k], k);
  }
  t.is(index.metricsConfigProblems, metricsConfigProblems);
});
