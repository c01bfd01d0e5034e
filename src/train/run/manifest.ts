/**
 * The checkpoint manifest (`checkpoint-<label>.json`): its shape, parsing with one-line reasons,
 * the order of checkpoints, and the check that a loop's state is plain JSON (so that what is
 * written is exactly what is read back: no NaN turned into null, no undefined dropped).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CheckpointRef, CheckpointState } from './types.ts';

export interface Manifest {
  format: 'sg3-checkpoint';
  version: 1;
  label: string;
  tensors: { file: string; bytes: number; sha256: string };
  written_at: string;
  state: CheckpointState;
}

/** The two pino methods the checkpoint code reports through (a pino Logger fits). */
export interface CheckpointLog {
  warn(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
}

/** The manifest at `path` as a ref, or a one-line reason it cannot be used. */
export function parseManifest(path: string, label: string): CheckpointRef | string {
  let m: Partial<Manifest>;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as Partial<Manifest>;
  } catch (e) {
    return `unreadable manifest (${(e as Error).message.split('\n')[0]})`;
  }
  if (m?.format !== 'sg3-checkpoint' || m.version !== 1) return `not an sg3 checkpoint manifest (got format ${JSON.stringify(m?.format ?? null)})`;
  if (m.label !== label) return `manifest label ${JSON.stringify(m.label)} does not match its file name`;
  const t = m.tensors;
  if (!t || typeof t.file !== 'string' || t.file.includes('/') || !Number.isSafeInteger(t.bytes) || !/^[0-9a-f]{64}$/.test(String(t.sha256))) {
    return 'manifest has no valid tensors entry (file, bytes, sha256)';
  }
  const s = m.state;
  if (!s || typeof s !== 'object' || typeof s.step !== 'number' || typeof s.cur_nimg !== 'number') return 'manifest state lacks step / cur_nimg';
  return {
    label,
    tensorsPath: join(dirname(path), t.file),
    manifestPath: path,
    bytes: t.bytes,
    sha256: t.sha256,
    writtenAt: String(m.written_at ?? ''),
    state: s,
  };
}

/** Oldest first: by images shown, then steps, then write time, then label. */
export function compareCheckpoints(a: CheckpointRef, b: CheckpointRef): number {
  return a.state.cur_nimg - b.state.cur_nimg
    || a.state.step - b.state.step
    || a.writtenAt.localeCompare(b.writtenAt)
    || a.label.localeCompare(b.label);
}

/** Throws (a bug in the caller) unless `value` survives JSON.stringify -> JSON.parse unchanged. */
export function checkJsonValue(value: unknown, path: string): void {
  const fail = (what: string): never => {
    throw new Error(`writeCheckpoint: ${path} must be plain JSON, not ${what}`);
  };
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(`a non-finite number (got ${value})`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkJsonValue(v, `${path}[${i}]`));
    return;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) fail(`a ${proto?.constructor?.name ?? 'class'} instance (typed arrays go in the tensor map)`);
    for (const [k, v] of Object.entries(value as object)) checkJsonValue(v, `${path}.${k}`);
    return;
  }
  fail(`of type ${typeof value}`);
}
