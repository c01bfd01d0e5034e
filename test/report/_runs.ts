// Finished run directories with chosen metric values, for the table tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function fakeRun(dir: string, metrics: Record<string, number>, status = 'done'): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ format: 'sg3-run', version: 1, status, resumes: [] }));
  writeFileSync(join(dir, 'metrics.jsonl'), Object.entries(metrics).map(([k, v]) => JSON.stringify({ metric: k, results: { [k]: v }, kimg: 1 })).join('\n') + '\n');
  return dir;
}
