/**
 * What to do with each cell when a sweep is (re)started: a pure function of the cell, what
 * sweep.json remembers about it and what its run directory says.
 *
 *   same config, run done ................ skip
 *   same config, a live process on it .... skip (running elsewhere)
 *   same config, run failed .............. skip; rerun with --retry-failed
 *   same config, interrupted ............. resume from its newest checkpoint (restart if it has none)
 *   no run yet ........................... run
 *   config changed, old run done/running . refuse; rerun with --force (the old run is kept)
 *   config changed, old run unfinished ... run anew
 */
import type { Cell } from './cells.ts';
import type { CellRecord, RunInspection } from './state.ts';

export type Action =
  | { kind: 'skip'; why: 'done' | 'running' | 'failed' }
  | { kind: 'run'; why: 'new' | 'retry' | 'restart' | 'changed' }
  | { kind: 'resume'; runDir: string }
  | { kind: 'refuse'; why: 'changed' };

export interface DecideOptions {
  retryFailed: boolean;
  force: boolean;
}

/**
 * `record`: sweep.json's entry for this cell's key (null: never seen); `runDir`/`run`: the
 * directory that belongs to the record (or was found by the cell's desc) and its inspection.
 */
export function decide(cell: Cell, record: CellRecord | null, runDir: string | null, run: RunInspection, opts: DecideOptions): Action {
  if (record !== null && record.id !== cell.id) {
    const finished = run.state === 'done' || run.state === 'running';
    if (finished && !opts.force) return { kind: 'refuse', why: 'changed' };
    return { kind: 'run', why: 'changed' };
  }
  switch (run.state) {
    case 'done': return { kind: 'skip', why: 'done' };
    case 'running': return { kind: 'skip', why: 'running' };
    case 'failed': return opts.retryFailed ? { kind: 'run', why: 'retry' } : { kind: 'skip', why: 'failed' };
    case 'interrupted': return run.checkpoints > 0 && runDir !== null ? { kind: 'resume', runDir } : { kind: 'run', why: 'restart' };
    case 'missing': return { kind: 'run', why: 'new' };
  }
}

/** Short words for progress lines and the summary. */
export function describeAction(a: Action): string {
  switch (a.kind) {
    case 'skip': return a.why === 'done' ? 'skip (done)' : a.why === 'running' ? 'skip (running elsewhere)' : 'skip (failed; --retry-failed reruns it)';
    case 'run': return a.why === 'new' ? 'run' : a.why === 'retry' ? 'run (retry after failure)' : a.why === 'restart' ? 'run (restart: interrupted before any checkpoint)' : 'run (config changed)';
    case 'resume': return 'resume';
    case 'refuse': return 'refused (config changed since its run; --force reruns it)';
  }
}
