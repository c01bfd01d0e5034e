// A fake `sg3 run` for sweep tests (SG3_SWEEP_RUN_CMD points here): it resolves the config exactly
// as the real verb does (src/config), then writes a run directory the way src/train/run does
// (run.json with status, config.yaml, checkpoint-*.json, metrics.jsonl) without training anything.
// Behaviour by environment:
//   FAKE_SG3_LOG     append one JSON line per invocation (argv, cell, CUDA_VISIBLE_DEVICES, times)
//   FAKE_SG3_FAIL    a substring of the run's desc: that run fails (run.json failed, exit 1)
//   FAKE_SG3_DIE     a substring of the desc: a new run writes one checkpoint, then SIGKILLs itself
//   FAKE_SG3_SLEEP_MS  wait this long before finishing (parallelism tests)
import { appendFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { configToYaml, loadConfig, type ResolvedConfig } from '../../src/config/index.ts';

const args = process.argv.slice(2);
const started = Date.now();
function flag(name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}
const sets = args.flatMap((a, i) => (a === '--set' ? [args[i + 1]!] : []));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function metricValues(cfg: ResolvedConfig): Record<string, number> {
  // Deterministic "results" that depend on the swept settings and the seed.
  const g = cfg.generator;
  const base: Record<string, number> = {
    fid: 10 + g.filter.size + g.nonlinearity.upsampling / 10 + cfg.train.seed * 0.5,
    eqt: 20 + g.filter.size * 2 + cfg.train.seed,
    eqr: 5 + g.nonlinearity.upsampling + cfg.train.seed * 0.25,
  };
  const out: Record<string, number> = {};
  for (const name of cfg.metrics.names) {
    const family = name.startsWith('fid') ? 'fid' : name.startsWith('eqt') ? 'eqt' : name.startsWith('eqr') ? 'eqr' : null;
    out[name] = family ? base[family]! : 1.5;
  }
  return out;
}

function newRunDir(runsDir: string, name: string, desc: string): string {
  mkdirSync(runsDir, { recursive: true });
  for (;;) {
    const ids = readdirSync(runsDir).map((n) => /^(\d+)-/.exec(n)).filter(Boolean).map((m) => Number(m![1]));
    const id = ids.length ? Math.max(...ids) + 1 : 0;
    const dir = join(runsDir, `${String(id).padStart(5, '0')}-${name}-${desc}`);
    try { mkdirSync(dir); return dir; } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; }
  }
}

const writeJson = (p: string, v: unknown) => writeFileSync(p, `${JSON.stringify(v, null, 2)}\n`);

async function main(): Promise<number> {
  if (args[0] !== 'run') { process.stderr.write(`fake sg3: expected "run" (got ${args[0]})\n`); return 2; }
  const resume = flag('--resume');
  let dir: string;
  let cfg: ResolvedConfig;
  if (resume) {
    dir = resolve(resume);
    cfg = loadConfig(join(dir, 'config.yaml'));
    const info = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    info.resumes.push({ status: 'running', checkpoint: '000008' });
    writeJson(join(dir, 'run.json'), info);
  } else {
    const profile = flag('--profile');
    cfg = loadConfig(args[1]!, { set: sets, profile: profile ?? null });
    const desc = flag('--desc')!;
    dir = newRunDir(flag('--runs-dir')!, cfg.name, desc);
    cfg.runtime.runs_dir = flag('--runs-dir')!;
    writeFileSync(join(dir, 'config.yaml'), configToYaml(cfg));
    writeJson(join(dir, 'run.json'), { format: 'sg3-run', version: 1, name: basename(dir), desc, status: 'running', resumes: [] });
  }
  process.stdout.write(`fake sg3 run in ${dir}\n`);
  const desc = basename(dir);
  if (process.env.FAKE_SG3_SLEEP_MS) await sleep(Number(process.env.FAKE_SG3_SLEEP_MS));
  const log = (status: string) => {
    if (process.env.FAKE_SG3_LOG) {
      appendFileSync(process.env.FAKE_SG3_LOG, `${JSON.stringify({ argv: args, dir: basename(dir), cell: process.env.SG3_SWEEP_CELL, hparams: process.env.SG3_SWEEP_HPARAMS, gpu: process.env.CUDA_VISIBLE_DEVICES ?? null, start: started, end: Date.now(), status })}\n`);
    }
  };
  const fail = process.env.FAKE_SG3_FAIL;
  if (fail && desc.includes(fail)) {
    finish(dir, 'failed');
    log('failed');
    process.stderr.write('fake sg3: this cell was told to fail\n');
    return 1;
  }
  const die = process.env.FAKE_SG3_DIE;
  writeJson(join(dir, 'checkpoint-000008.json'), { format: 'sg3-checkpoint', label: '000008' });
  if (die && !resume && desc.includes(die)) {
    log('killed');
    process.kill(process.pid, 'SIGKILL');
    await sleep(10_000);
  }
  appendFileSync(join(dir, 'metrics.jsonl'), `${JSON.stringify({ kimg: 0.008, results: { fid50k_full: 999 }, metric: 'fid50k_full' })}\n`);
  for (const [name, value] of Object.entries(metricValues(cfg))) {
    appendFileSync(join(dir, 'metrics.jsonl'), `${JSON.stringify({ metric: name, results: { [name]: value }, kimg: cfg.train.kimg, total_time: 0.1 })}\n`);
  }
  finish(dir, 'done');
  log('done');
  return 0;
}

function finish(dir: string, status: string): void {
  const info = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  if (info.resumes.length > 0) info.resumes[info.resumes.length - 1].status = status;
  else info.status = status;
  writeJson(join(dir, 'run.json'), info);
}

process.exitCode = await main();
