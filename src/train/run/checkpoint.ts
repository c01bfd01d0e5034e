/**
 * Checkpoints: a pair of files per kimg label in the run directory.
 *
 *   checkpoint-<label>.safetensors   every tensor the loop hands over, by name. Convention (the
 *                                    loop's to fill): `G.<official key>`, `G_ema.<...>`, `D.<...>`
 *                                    and the Adam moments as `opt.G.<param>.exp_avg` /
 *                                    `.exp_avg_sq` (same for `opt.D.`), so one checksum covers all.
 *   checkpoint-<label>.json          the manifest: format tag, label, the safetensors file's name,
 *                                    byte size and SHA-256, the time, and the loop's JSON `state`.
 *
 * Both are written atomically (temp + fsync + rename), tensors first, manifest LAST: a checkpoint
 * exists only once its manifest does, and a manifest counts only while the file it names has the
 * size and hash it records. A crash at any point leaves either the previous checkpoints intact or
 * an orphan tensors file that nothing trusts.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, readSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { RunError } from '../../errors.ts';
import { writeFileAtomic } from '../../io/atomic.ts';
import { parseSafetensors, serializeSafetensors, type NamedTensor } from '../../io/safetensors.ts';
import type { CheckpointRef, CheckpointState } from './types.ts';
import { checkJsonValue, compareCheckpoints, parseManifest, type CheckpointLog, type Manifest } from './manifest.ts';

export type { CheckpointLog } from './manifest.ts';

const LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The official snapshot label: `cur_nimg // 1000`, six digits (`network-snapshot-000040.pkl`). */
export function checkpointLabel(curNimg: number): string {
  return String(Math.floor(curNimg / 1000)).padStart(6, '0');
}

export function tensorsFileName(label: string): string { return `checkpoint-${label}.safetensors`; }
export function manifestFileName(label: string): string { return `checkpoint-${label}.json`; }

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Size and SHA-256 of a file, read in 8 MiB chunks (checkpoints can be gigabytes). */
export function hashFile(path: string): { bytes: number; sha256: string } {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 23);
  const fd = openSync(path, 'r');
  let bytes = 0;
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; bytes += n) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** fsync the directory so the renames themselves survive a power loss (best effort). */
function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch { /* not supported on this platform */ }
}

function removeIfPresent(path: string): void {
  try { unlinkSync(path); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; }
}

export interface WriteCheckpointOptions {
  keep?: number;                  // keep only the newest `keep` checkpoints (0 = all; train.keep_checkpoints)
  log?: CheckpointLog;                     // where pruning and problems are reported
  /** Tests only: runs after the tensors file is in place and before the manifest is written. */
  beforeManifest?: () => void;
}

/**
 * Writes checkpoint `label` into `dir` and returns its ref.
 * 1. check the label and that `state` is plain JSON with numeric `step` and `cur_nimg`;
 * 2. serialise the tensors (insertion order) and hash the bytes;
 * 3. delete an existing manifest of the same label, so it never vouches for the new bytes;
 * 4. write the tensors atomically, then the manifest atomically, then fsync the directory;
 * 5. prune to the newest `keep` checkpoints.
 */
export function writeCheckpoint(dir: string, label: string, tensors: Map<string, NamedTensor>, state: CheckpointState, opts: WriteCheckpointOptions = {}): CheckpointRef {
  if (!LABEL.test(label)) throw new Error(`writeCheckpoint: label must be letters, digits, '.', '_' or '-' (got ${JSON.stringify(label)})`);
  for (const key of ['step', 'cur_nimg'] as const) {
    if (typeof state[key] !== 'number' || !Number.isFinite(state[key]) || state[key] < 0) {
      throw new Error(`writeCheckpoint: state.${key} must be a non-negative number (got ${String(state[key])})`);
    }
  }
  checkJsonValue(state, 'state');
  const bytes = serializeSafetensors(tensors, { format: 'sg3-checkpoint', label });
  const tensorsPath = join(dir, tensorsFileName(label));
  const manifestPath = join(dir, manifestFileName(label));
  const manifest: Manifest = {
    format: 'sg3-checkpoint',
    version: 1,
    label,
    tensors: { file: basename(tensorsPath), bytes: bytes.length, sha256: sha256Hex(bytes) },
    written_at: new Date().toISOString(),
    state,
  };
  removeIfPresent(manifestPath);
  writeFileAtomic(tensorsPath, bytes);
  opts.beforeManifest?.();
  writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  syncDir(dir);
  if ((opts.keep ?? 0) > 0) pruneCheckpoints(dir, opts.keep!, opts.log);
  return { label, tensorsPath, manifestPath, bytes: bytes.length, sha256: manifest.tensors.sha256, writtenAt: manifest.written_at, state };
}

/**
 * Every checkpoint whose manifest parses, oldest first (by cur_nimg, step, time, label). Sizes and
 * hashes are not checked here (see verifyCheckpoint). Unreadable manifests are reported to `log`.
 */
export function listCheckpoints(dir: string, log?: CheckpointLog): CheckpointRef[] {
  const refs: CheckpointRef[] = [];
  for (const name of readdirSync(dir)) {
    const m = /^checkpoint-(.+)\.json$/.exec(name);
    if (!m) continue;
    const parsed = parseManifest(join(dir, name), m[1]!);
    if (typeof parsed === 'string') log?.warn({ manifest: join(dir, name) }, `skipping checkpoint ${name}: ${parsed}`);
    else refs.push(parsed);
  }
  return refs.sort(compareCheckpoints);
}

/** Why `ref` cannot be trusted (size or hash mismatch, missing file), or null when it is complete. */
export function verifyCheckpoint(ref: CheckpointRef): string | null {
  let size: number;
  try {
    size = statSync(ref.tensorsPath).size;
  } catch (e) {
    return `${basename(ref.tensorsPath)} is missing (got ${(e as NodeJS.ErrnoException).code})`;
  }
  if (size !== ref.bytes) return `${basename(ref.tensorsPath)} has ${size} bytes, the manifest says ${ref.bytes} (truncated or replaced)`;
  const { sha256 } = hashFile(ref.tensorsPath);
  if (sha256 !== ref.sha256) return `${basename(ref.tensorsPath)} has sha256 ${sha256}, the manifest says ${ref.sha256}`;
  return null;
}

/**
 * The newest complete checkpoint of `dir`, or null. Newest first, each candidate is verified
 * (size + SHA-256); skipped ones and tensors files without a manifest are reported to `log`.
 */
export function latestCheckpoint(dir: string, log?: CheckpointLog): CheckpointRef | null {
  const refs = listCheckpoints(dir, log);
  const named = new Set(refs.map((r) => basename(r.tensorsPath)));
  for (const name of readdirSync(dir)) {
    if (/^checkpoint-.+\.safetensors$/.test(name) && !named.has(name)) {
      log?.warn({ file: join(dir, name) }, `ignoring ${name}: it has no manifest (a write that did not finish)`);
    }
  }
  for (let i = refs.length - 1; i >= 0; i--) {
    const problem = verifyCheckpoint(refs[i]!);
    if (problem === null) return refs[i]!;
    log?.warn({ manifest: refs[i]!.manifestPath }, `skipping checkpoint ${refs[i]!.label}: ${problem}`);
  }
  return null;
}

/** Loads a checkpoint's tensors, checking the bytes read against the manifest (RunError if not). */
export function readCheckpoint(ref: CheckpointRef): { tensors: Map<string, NamedTensor>; metadata: Record<string, string>; state: CheckpointState } {
  let buf: Buffer;
  try {
    buf = readFileSync(ref.tensorsPath);
  } catch (e) {
    throw new RunError(`${ref.tensorsPath}: cannot read the checkpoint (got ${(e as NodeJS.ErrnoException).code})`);
  }
  if (buf.length !== ref.bytes || sha256Hex(buf) !== ref.sha256) {
    throw new RunError(`${ref.tensorsPath}: does not match its manifest ${basename(ref.manifestPath)} (got ${buf.length} bytes, expected ${ref.bytes} with sha256 ${ref.sha256})`);
  }
  const file = parseSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), ref.tensorsPath);
  return { tensors: file.tensors, metadata: file.metadata, state: ref.state };
}

/**
 * Keeps the newest `keep` checkpoints of `dir` (keep <= 0: all). Older ones lose their manifest
 * first, then their tensors; tensors files with no manifest (unfinished writes) go too.
 */
export function pruneCheckpoints(dir: string, keep: number, log?: CheckpointLog): void {
  if (keep <= 0) return;
  const refs = listCheckpoints(dir, log);
  const kept = new Set(refs.slice(-keep).map((r) => basename(r.tensorsPath)));
  for (const ref of refs.slice(0, Math.max(0, refs.length - keep))) {
    removeIfPresent(ref.manifestPath);
    removeIfPresent(ref.tensorsPath);
    log?.info({ label: ref.label }, `removed checkpoint ${ref.label} (train.keep_checkpoints = ${keep})`);
  }
  for (const name of readdirSync(dir)) {
    if (/^checkpoint-.+\.safetensors$/.test(name) && !kept.has(name)) {
      removeIfPresent(join(dir, name));
      log?.info({ file: name }, `removed ${name}: it had no manifest (a write that did not finish)`);
    }
  }
}

/**
 * Checks that `path` is a whole safetensors file before a run starts from it (`--resume-from`):
 * readable, a valid header, and data offsets within the file. Returns the absolute path.
 */
export function checkSafetensorsFile(path: string): string {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new RunError(`--resume-from: cannot read ${path} (got ${(e as NodeJS.ErrnoException).code})`);
  }
  parseSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), path);
  return resolve(path);
}
