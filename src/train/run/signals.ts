/**
 * Graceful stop on SIGINT / SIGTERM. The first signal only sets a flag: the loop polls
 * `stopRequested()` once per step, finishes the step, writes a checkpoint and returns; the verb then
 * exits 130 (SIGINT) or 143 (SIGTERM), the shell's 128 + signal number.
 *
 * The first signal also removes our listeners, which gives both signals back their default action:
 * a second Ctrl-C (or SIGTERM) kills the process at once, even in the middle of a long synchronous
 * tfjs call where no JavaScript handler could run. Nothing is corrupted by that: every file of a
 * run is written atomically (temp + rename), and the lock left behind is stale and taken over by
 * the next `sg3 run --resume`.
 */

export type StopSignal = 'SIGINT' | 'SIGTERM';

const SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM'];
const EXIT_CODES: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

let received: StopSignal | null = null;
let uninstall: (() => void) | null = null;

/** True once SIGINT or SIGTERM arrived after installStopHandlers(). */
export function stopRequested(): boolean {
  return received !== null;
}

/** The first stop signal received, or null. */
export function stopSignal(): StopSignal | null {
  return received;
}

/** The exit status for a stop by `signal`: 130 for SIGINT, 143 for SIGTERM. */
export function signalExitCode(signal: StopSignal): number {
  return EXIT_CODES[signal];
}

/**
 * Starts listening for SIGINT / SIGTERM; returns a function that stops listening. Calling it again
 * replaces the previous handlers and clears the flag (a fresh session, e.g. in tests).
 * `onStop` runs once, on the first signal: say that a checkpoint is coming and that another
 * Ctrl-C exits at once.
 */
export function installStopHandlers(opts: { onStop?: (signal: StopSignal) => void } = {}): () => void {
  uninstall?.();
  received = null;
  const handler = (signal: NodeJS.Signals): void => {
    if (received !== null) return;
    received = signal as StopSignal;
    remove();
    opts.onStop?.(received);
  };
  const remove = (): void => {
    for (const s of SIGNALS) process.removeListener(s, handler);
    if (uninstall === remove) uninstall = null;
  };
  for (const s of SIGNALS) process.on(s, handler);
  uninstall = remove;
  return remove;
}
