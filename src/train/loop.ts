/**
 * `train(ctx)`: the official training_loop.py as a few small functions.
 * 1. set up the session (data, nets, optimizers, augmentation, loss; or a checkpoint's state);
 * 2. a new run writes reals.png, fakes_init.png and its HParams session;
 * 3. until cur_nimg >= total_kimg * 1000: one step (step.ts), then maybe a tick (scalars,
 *    progress), a fakes grid, a checkpoint, metrics; a stop request (SIGINT/SIGTERM) ends the
 *    loop after the step with a checkpoint;
 * 4. a NaN/Inf loss writes a checkpoint of the state before the failing step and throws RunError.
 */
import { RunError } from '../errors.ts';
import type { TrainContext } from './run/types.ts';
import { evaluateMetrics, metricsDue } from './evaluate.ts';
import { Reporter, tickKimg, writeHParams } from './report.ts';
import { crossedInterval, isDone, snapshotLabel } from './schedule.ts';
import { createSession, disposeSession, type Session } from './session.ts';
import { setupGrid, writeFakes, writeReals, type SnapshotGrid } from './snapshots.ts';
import { LastGood, captureState, checkpointTensors } from './state.ts';
import { NonFiniteLossError, runStep } from './step.ts';

/** A macrotask boundary: a step that only awaits resolved promises would never let signal handlers in. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function logStart(s: Session): void {
  const t = s.training;
  const count = (vars: { size: number }[]) => vars.reduce((a, v) => a + v.size, 0);
  s.ctx.runDir.logger.info({
    total_kimg: t.total_kimg, cur_nimg: s.curNimg, batch: t.batch, batch_per_step: t.batch_per_step,
    phases: t.phases.map((p) => `${p.name}/${p.interval}`), G_params: count(s.G.trainableVariables()),
    D_params: count(s.D.trainableVariables()), augment: s.augment ? { pipe: s.augment.pipe, p: s.augment.p } : null,
    dataset: { name: s.dataset.name, size: s.dataset.size },
  }, s.curNimg > 0 ? `continuing training at ${(s.curNimg / 1000).toFixed(3)} of ${t.total_kimg} kimg` : `training for ${t.total_kimg} kimg`);
}

function writeCheckpoint(s: Session): void {
  s.ctx.runDir.writeCheckpoint(snapshotLabel(s.curNimg), checkpointTensors(s), captureState(s));
}

/** The NaN/Inf path: checkpoint the state captured before the failing step, then a one-line error. */
function failNonFinite(s: Session, lastGood: LastGood, e: NonFiniteLossError): never {
  const state = lastGood.state!;
  const label = snapshotLabel(state.cur_nimg);
  s.ctx.runDir.writeCheckpoint(label, lastGood.namedTensors(), state);
  throw new RunError(`${e.message}; wrote checkpoint ${label} of the last good state (step ${state.step}); inspect it or resume with different settings`);
}

/** Images, checkpoint, metrics and the tick after the step that reached `s.curNimg`. */
async function afterStep(s: Session, grid: SnapshotGrid, reporter: Reporter, prevNimg: number, stop: boolean): Promise<void> {
  const train = s.config.train;
  const done = isDone(s.curNimg, s.training.total_kimg);
  reporter.step();
  if (done || stop || crossedInterval(prevNimg, s.curNimg, tickKimg(s.config))) reporter.endTick();
  if (done || crossedInterval(prevNimg, s.curNimg, train.image_kimg)) writeFakes(s, grid, `fakes${snapshotLabel(s.curNimg)}.png`);
  if (done || stop || crossedInterval(prevNimg, s.curNimg, train.snapshot_kimg)) writeCheckpoint(s);
  if (metricsDue(s, prevNimg, done)) await evaluateMetrics(s);
}

export async function train(ctx: TrainContext): Promise<void> {
  const s = await createSession(ctx);
  const lastGood = new LastGood();
  let ok = false;
  try {
    const grid = setupGrid(s);
    logStart(s);
    if (!ctx.resume) {
      writeHParams(s);
      writeReals(s, grid);
      writeFakes(s, grid, 'fakes_init.png');
    }
    const reporter = new Reporter(s);
    while (!isDone(s.curNimg, s.training.total_kimg)) {
      lastGood.capture(s);
      const prevNimg = s.curNimg;
      try {
        await runStep(s);
      } catch (e) {
        if (e instanceof NonFiniteLossError) failNonFinite(s, lastGood, e);
        throw e;
      }
      await yieldToEventLoop();                                         // lets SIGINT/SIGTERM handlers run
      const stop = ctx.shouldStop();
      await afterStep(s, grid, reporter, prevNimg, stop);
      if (stop) {
        ctx.runDir.logger.warn({ cur_nimg: s.curNimg, step: s.step }, `stopped after step ${s.step} at ${(s.curNimg / 1000).toFixed(3)} kimg`);
        break;
      }
    }
    reporter.progress.done();
    ok = true;
  } finally {
    if (isDone(s.curNimg, s.training.total_kimg) && ok) ctx.runDir.events.endSession('success', s.curNimg);
    else if (!ok) ctx.runDir.events.endSession('failure', s.curNimg);
    lastGood.dispose();
    disposeSession(s);
  }
}
