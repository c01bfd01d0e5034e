// Child for lock.test.ts: takes the lock of argv[2], prints it, and exits without releasing it
// (the exit hook must remove it) or, with argv[3] = 'kill', dies by SIGKILL holding it.
import { acquireRunLock } from '../../../src/train/run/index.ts';

const lock = acquireRunLock(process.argv[2]!, { command: 'lock-child' });
process.stdout.write(`${JSON.stringify(lock.info)}\n`);
if (process.argv[3] === 'kill') process.kill(process.pid, 'SIGKILL');
