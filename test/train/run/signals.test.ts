// Stop handling: the flag in-process, and real signals to a child that checkpoints on the way out.
import test from 'ava';
import { readdirSync } from 'node:fs';
import {
  installStopHandlers, latestCheckpoint, signalExitCode, stopRequested, stopSignal, type StopSignal,
} from '../../../src/train/run/index.ts';
import { spawnChild, tmp, waitChild } from './_helpers.ts';

test.serial('the first signal sets the flag once, calls onStop, and gives both signals back to the default', (t) => {
  const before = ['SIGINT', 'SIGTERM'].map((s) => process.listenerCount(s));
  const seen: StopSignal[] = [];
  const uninstall = installStopHandlers({ onStop: (s) => seen.push(s) });
  t.deepEqual(['SIGINT', 'SIGTERM'].map((s) => process.listenerCount(s)), before.map((n) => n + 1));
  t.false(stopRequested());
  t.is(stopSignal(), null);
  process.emit('SIGTERM', 'SIGTERM');
  t.true(stopRequested());
  t.is(stopSignal(), 'SIGTERM');
  t.deepEqual(seen, ['SIGTERM']);
  t.deepEqual(['SIGINT', 'SIGTERM'].map((s) => process.listenerCount(s)), before);
  uninstall();   // harmless after the handlers removed themselves
  installStopHandlers()();   // a new session starts with the flag cleared
  t.false(stopRequested());
});

test('exit codes are 128 + the signal number', (t) => {
  t.is(signalExitCode('SIGINT'), 130);
  t.is(signalExitCode('SIGTERM'), 143);
});

/** Starts the stand-in loop, sends `signals` once it is ready (the next after each "stopping"). */
async function interrupt(mode: string, signals: NodeJS.Signals[]) {
  const dir = tmp();
  const child = spawnChild('_signal-child.ts', [dir, mode]);
  const queue = [...signals];
  const started = Date.now();
  const result = await waitChild(child, (line) => {
    if ((line === 'ready' || line.startsWith('stopping')) && queue.length > 0) setTimeout(() => child.kill(queue.shift()!), 100);
  });
  return { dir, result, seconds: (Date.now() - started) / 1000 };
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`${signal}: the loop finishes its step, writes a checkpoint and exits ${code}`, async (t) => {
    const { dir, result } = await interrupt('normal', [signal]);
    t.is(result.code, code, result.err);
    t.is(result.out, `ready\nstopping ${signal}\n`);
    const ref = latestCheckpoint(dir);
    t.truthy(ref);
    t.like(ref!.state, { signal });
    t.true(ref!.state.step > 0);
  });
}

test('a second SIGINT ends the process at once, even inside a blocking call, and leaves no partial file', async (t) => {
  const { dir, result, seconds } = await interrupt('slow', ['SIGINT', 'SIGINT']);
  t.is(result.signal, 'SIGINT', result.err);
  t.is(result.code, null);
  t.true(seconds < 15, `took ${seconds} s: the blocking step was not interrupted`);
  t.deepEqual(readdirSync(dir), []);
});
