// A fake Slurm for tests: a directory to put first on PATH with
//   sbatch  — `sbatch --parsable SCRIPT`: runs every index of the script's `#SBATCH --array=0-N`
//             one after the other with SLURM_ARRAY_TASK_ID set (bash SCRIPT), prints a job id;
//   sacct   — reports every index of that job COMPLETED (squeue is absent: "not installed");
//   node    — the compute node's `node`: runs the fake `sg3 run` in place of `node bin/sg3.js`, so
//             the script's real command line is executed as written, only the trainer is fake.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { REPO_ROOT } from '../_golden.ts';
import { FAKE_SG3, tempDir } from './_helpers.ts';

export const FAKE_JOB_ID = '4242';

export function fakeSlurmBin(t: ExecutionContext, opts: { withNode: boolean }): string {
  const bin = join(tempDir(t, 'sg3-fake-slurm-'), 'bin');
  mkdirSync(bin, { recursive: true });
  const write = (name: string, text: string) => { writeFileSync(join(bin, name), text); chmodSync(join(bin, name), 0o755); };
  write('sbatch', [
    '#!/bin/bash',
    'set -e',
    'script="${@: -1}"',
    'range=$(sed -n \'s/^#SBATCH --array=\\([0-9]*-[0-9]*\\).*/\\1/p\' "$script")',
    'echo "$range" > "$(dirname "$0")/last-array"',
    'for i in $(seq "${range%-*}" "${range#*-}"); do SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_JOB_ID=' + FAKE_JOB_ID + ' bash "$script" || echo "task $i exited $?" >> "$(dirname "$0")/task-failures"; done',
    `echo "${FAKE_JOB_ID};cluster"`,
    '',
  ].join('\n'));
  write('sacct', [
    '#!/bin/bash',
    'range=$(cat "$(dirname "$0")/last-array")',
    `for i in $(seq "\${range%-*}" "\${range#*-}"); do echo "${FAKE_JOB_ID}_$i|COMPLETED"; done`,
    '',
  ].join('\n'));
  write('squeue', '#!/bin/bash\nexit 127\n');
  if (opts.withNode) {
    // `node /abs/bin/sg3.js run ...` -> the fake `sg3 run ...` (the first argument is bin/sg3.js).
    write('node', `#!/bin/bash\n[ "$1" = ${JSON.stringify(join(REPO_ROOT, 'bin', 'sg3.js'))} ] || { echo "fake node: unexpected $1" >&2; exit 3; }\nshift\nexec ${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(FAKE_SG3)} "$@"\n`);
  }
  return bin;
}
