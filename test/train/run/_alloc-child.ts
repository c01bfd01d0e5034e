// Child for run-id.test.ts: waits until the shared start time argv[3] (ms since the epoch), then
// allocates argv[4] run directories in argv[2] as fast as it can, for config name argv[5] (default
// 'race'), and prints their paths as JSON.
import { allocateRunDir } from '../../../src/train/run/index.ts';

const [runsDir, startAt, count, name] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4]), process.argv[5] ?? 'race'];
setTimeout(() => {
  const paths = Array.from({ length: count }, () => allocateRunDir(runsDir, name));
  process.stdout.write(JSON.stringify(paths));
}, Math.max(0, startAt - Date.now()));
