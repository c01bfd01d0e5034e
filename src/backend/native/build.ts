/**
 * Builds the optional C++ addon (native/*.cc) at first use, not at install: npm does not run
 * dependency install scripts here, and `npm ci` on a clean machine must not need a compiler.
 *
 * One `g++` command (-O3 -march=native -fno-fast-math: IEEE float semantics kept) writes
 * `<cache>/<key>/sg3native.node`, where the key hashes everything the binary depends on: the
 * sources, the compiler's version, the node ABI and the CPU's feature flags (the code is built for
 * this CPU). The file is written to a temp name and renamed, and a lock file keeps two processes
 * from compiling at once (the second waits for the first and reuses its result). Failures are
 * thrown as NativeBuildError with a one-line message; the caller falls back to wasm.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const NATIVE_SOURCE_DIR = join(REPO_ROOT, 'native');
export const ADDON_FILE = 'sg3native.node';
const FLAGS = ['-std=c++17', '-shared', '-fPIC', '-O3', '-march=native', '-fno-fast-math', '-pthread'];
const LOCK_STALE_MS = 10 * 60 * 1000;  // a lock older than the longest sane build is abandoned
const COMPILE_TIMEOUT_MS = 5 * 60 * 1000;

export class NativeBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NativeBuildError';
  }
}

export interface BuildOptions {
  cacheDir?: string;      // default: SG3_NATIVE_CACHE or node_modules/.cache/sg3-native
  compiler?: string;      // default: CXX or g++
  extraFlags?: string[];  // appended to the compile command (and to the cache key)
}

export interface BuildResult {
  path: string;        // the .node file
  compiled: boolean;   // false: reused from the cache (this process compiled nothing)
  seconds: number;     // time spent compiling or waiting for another process's build
  key: string;
}

export function defaultCacheDir(): string {
  return process.env.SG3_NATIVE_CACHE ?? join(REPO_ROOT, 'node_modules', '.cache', 'sg3-native');
}

/** The directory holding node_api.h for the running node (from its executable's prefix first). */
export function nodeIncludeDir(): string {
  const prefix = (process.config.variables as { node_prefix?: string }).node_prefix;
  const candidates = [
    join(dirname(dirname(process.execPath)), 'include', 'node'),
    ...(prefix ? [join(prefix, 'include', 'node')] : []),
    '/usr/include/node',
    '/usr/local/include/node',
  ];
  const found = candidates.find((d) => existsSync(join(d, 'node_api.h')));
  if (found == null) throw new NativeBuildError(`native build: node_api.h not found (looked in ${candidates.join(', ')})`);
  return found;
}

function sourceFiles(): string[] {
  return readdirSync(NATIVE_SOURCE_DIR).filter((f) => /\.(cc|h)$/.test(f)).sort();
}

function compilerVersion(compiler: string): string {
  const r = spawnSync(compiler, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    const why = r.error ? (r.error as NodeJS.ErrnoException).code ?? r.error.message : `exit ${r.status}`;
    throw new NativeBuildError(`native build: compiler '${compiler}' is not usable (got ${why})`);
  }
  return r.stdout.split('\n')[0]!.trim();
}

/** The CPU's feature flags (Linux), else its model name: -march=native code runs on this CPU only. */
function cpuSignature(): string {
  try {
    const flags = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => /^(flags|Features)\s*:/.test(l));
    if (flags) return flags;
  } catch { /* not Linux */ }
  return `${process.arch}`;
}

export function buildKey(compiler: string, extraFlags: string[]): string {
  const h = createHash('sha256');
  for (const f of sourceFiles()) h.update(f).update('\0').update(readFileSync(join(NATIVE_SOURCE_DIR, f))).update('\0');
  h.update(compilerVersion(compiler)).update('\0').update([...FLAGS, ...extraFlags].join(' ')).update('\0');
  h.update(`abi=${process.versions.modules} napi=${process.versions.napi} ${process.platform}-${process.arch}`).update('\0');
  h.update(cpuSignature());
  return h.digest('hex').slice(0, 16);
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes `lock` (exclusive create), or returns false while a live process holds it; clears stale locks. */
function tryLock(lock: string): boolean {
  try {
    const fd = openSync(lock, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  let holder = NaN, age = 0;
  try {
    holder = Number(readFileSync(lock, 'utf8'));
    age = Date.now() - statSync(lock).mtimeMs;
  } catch { return false; /* released meanwhile: try again */ }
  if ((Number.isInteger(holder) && holder > 0 && !pidAlive(holder)) || age > LOCK_STALE_MS) rmSync(lock, { force: true });
  return false;
}

/** The first compiler error line (or the last line of output), for a one-line notice. */
function firstError(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /error/i.test(l)) ?? lines.at(-1) ?? 'no output';
}

function compile(compiler: string, extraFlags: string[], out: string): void {
  const sources = sourceFiles().filter((f) => f.endsWith('.cc')).map((f) => join(NATIVE_SOURCE_DIR, f));
  const args = [...FLAGS, ...extraFlags, `-I${nodeIncludeDir()}`, ...sources, '-o', out];
  const r = spawnSync(compiler, args, { encoding: 'utf8', timeout: COMPILE_TIMEOUT_MS });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : firstError(r.stderr ?? '');
    throw new NativeBuildError(`native build: ${compiler} failed (got: ${why})`);
  }
}

/**
 * Returns the addon for this machine, compiling it when the cache has none. Steps:
 *  1. key = hash(sources, compiler version, flags, node ABI, CPU flags); path = cache/key/sg3native.node;
 *  2. present: done (compiled = false);
 *  3. else take cache/key/.lock (waiting while another live process holds it, then re-checking 2),
 *     compile to a temp name, rename into place, release the lock.
 */
export function buildNative(opts: BuildOptions = {}): BuildResult {
  const compiler = opts.compiler ?? process.env.CXX ?? 'g++';
  const extraFlags = opts.extraFlags ?? [];
  const key = buildKey(compiler, extraFlags);
  const dir = join(opts.cacheDir ?? defaultCacheDir(), key);
  const path = join(dir, ADDON_FILE), lock = join(dir, '.lock');
  const start = Date.now();
  const result = (compiled: boolean): BuildResult => ({ path, compiled, seconds: (Date.now() - start) / 1000, key });
  if (existsSync(path)) return result(false);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new NativeBuildError(`native build: cannot create the cache directory ${dir} (got ${code}); set SG3_NATIVE_CACHE to a writable one`);
  }
  for (;;) {
    if (existsSync(path)) return result(false);
    if (tryLock(lock)) break;
    if (Date.now() - start > LOCK_STALE_MS) throw new NativeBuildError(`native build: timed out waiting for ${lock}`);
    sleepMs(200);
  }
  try {
    if (existsSync(path)) return result(false);  // built while we took the lock
    const tmp = join(dir, `.${ADDON_FILE}.${process.pid}.tmp`);
    try {
      compile(compiler, extraFlags, tmp);
      renameSync(tmp, path);
    } finally {
      rmSync(tmp, { force: true });
    }
    return result(true);
  } finally {
    rmSync(lock, { force: true });
  }
}
