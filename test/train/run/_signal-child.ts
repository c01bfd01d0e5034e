// Child for signals.test.ts: a stand-in training loop. It installs the stop handlers, says "ready",
// runs 20 ms "steps" until a stop is requested, then writes a checkpoint and exits 130/143.
// Mode 'slow': the step after the stop blocks the thread for 20 s (like a long synchronous tfjs
// call), so only the default action of a second signal can end it early.
import { checkpointLabel, installStopHandlers, signalExitCode, stopRequested, stopSignal, writeCheckpoint } from '../../../src/train/run/index.ts';

const [dir, mode] = [process.argv[2]!, process.argv[3] ?? 'normal'];
installStopHandlers({ onStop: (s) => process.stdout.write(`stopping ${s}\n`) });
let step = 0;
const tick = (): void => {
  if (!stopRequested()) {
    step++;
    setTimeout(tick, 20);
    return;
  }
  if (mode === 'slow') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20_000);
  const cur_nimg = step * 1000;
  writeCheckpoint(dir, checkpointLabel(cur_nimg), new Map(), { step, cur_nimg, signal: stopSignal() });
  process.exit(signalExitCode(stopSignal()!));
};
process.stdout.write('ready\n');
setTimeout(tick, 20);
