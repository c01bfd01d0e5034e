/**
 * Choosing the tfjs backend for `runtime.backend`. Registry by name (STYLE.md rule 5): each
 * backend says which npm package provides it and how to start it. Nothing is logged here; the
 * caller logs the returned `BackendInfo`.
 *
 *   auto            tensorflow-gpu if its package imports, else tensorflow, else wasm
 *   tensorflow-gpu  @tensorflow/tfjs-node-gpu (native libtensorflow with CUDA)
 *   tensorflow      @tensorflow/tfjs-node     (native libtensorflow on CPU)
 *   wasm            @tensorflow/tfjs-backend-wasm, single-threaded SIMD build, loaded from the
 *                   package's own .wasm files (no network), plus sg3's training kernels
 *   cpu             @tensorflow/tfjs-backend-cpu (plain JavaScript, slow reference)
 *
 * The native packages are optional and not dependencies (their install downloads libtensorflow),
 * so they are imported through a variable specifier that TypeScript does not resolve.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BackendName } from '../config/types.ts';
import { RunError } from '../errors.ts';
import { tf } from './tf.ts';
import { registerCpuKernels, registerWasmKernels } from './kernels/register.ts';
import { registerNativeKernels } from './native/index.ts';

export type ResolvedBackendName = Exclude<BackendName, 'auto'>;

export interface BackendInfo {
  name: ResolvedBackendName;  // what runs: never 'auto'
  tfBackend: string;          // tfjs's own name for it (tf.getBackend())
  package: string;            // the npm package that provides it
  simd: boolean | null;       // wasm: the SIMD build was loaded (null for other backends)
  wasmBinary: string | null;  // wasm: path of the .wasm file the loader reads
  threads: number | null;     // wasm: XNNPACK threads (1: Node has no threaded wasm build)
  kernelsAdded: string[];     // kernels sg3 registered or replaced on this backend
  skipped: string[];          // auto: candidates passed over, one 'package: reason' each
  native: string | null;      // wasm: 'on' when sg3's C++ conv kernels replaced wasm's, else why not (null for other backends)
}

const NATIVE_PACKAGES = { 'tensorflow-gpu': '@tensorflow/tfjs-node-gpu', tensorflow: '@tensorflow/tfjs-node' } as const;
const PACKAGES: Record<ResolvedBackendName, string> = {
  ...NATIVE_PACKAGES, wasm: '@tensorflow/tfjs-backend-wasm', cpu: '@tensorflow/tfjs-backend-cpu',
};
export const BACKEND_NAMES: readonly BackendName[] = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

function info(name: ResolvedBackendName, extra: Partial<BackendInfo> = {}): BackendInfo {
  return { name, tfBackend: tf.getBackend(), package: PACKAGES[name], simd: null, wasmBinary: null, threads: null, kernelsAdded: [], skipped: [], native: null, ...extra };
}

/** Imports an optional native package; returns null when it is not installed, throws when it is installed but broken. */
async function importNative(name: keyof typeof NATIVE_PACKAGES): Promise<string | null> {
  const specifier: string = NATIVE_PACKAGES[name];
  try {
    await import(specifier);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const missing = (err.code === 'ERR_MODULE_NOT_FOUND' || err.code === 'MODULE_NOT_FOUND') && err.message.includes(specifier);
    if (missing) return null;
    const first = String(err.message ?? err).split('\n')[0];
    throw new RunError(`runtime.backend: ${specifier} is installed but failed to load (got: ${first})`);
  }
  return specifier;
}

async function startNative(name: keyof typeof NATIVE_PACKAGES): Promise<BackendInfo | null> {
  if ((await importNative(name)) == null) return null;
  if (!(await tf.setBackend('tensorflow'))) {
    throw new RunError(`runtime.backend: ${NATIVE_PACKAGES[name]} loaded but its 'tensorflow' backend did not start (got backend '${tf.getBackend()}')`);
  }
  return info(name);
}

let wasmPathsSet = false;

/**
 * Runs `start` and removes the process 'uncaughtException'/'unhandledRejection' listeners it added.
 * The emscripten loader of the wasm backend installs listeners that rethrow, which makes Node
 * print the whole minified loader source above every uncaught error; Node's defaults are kept.
 */
async function withoutNewProcessListeners<T>(start: () => Promise<T>): Promise<T> {
  const events = ['uncaughtException', 'unhandledRejection'];
  const listeners = (e: string) => process.listeners(e as 'exit') as ((...args: unknown[]) => void)[];
  const before = events.map((e) => new Set(listeners(e)));
  try {
    return await start();
  } finally {
    events.forEach((e, i) => {
      for (const l of listeners(e)) if (!before[i]!.has(l)) process.removeListener(e, l);
    });
  }
}

/** The package's dist directory, where its .wasm files sit next to the JavaScript. */
function wasmDistDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
}

async function startWasm(): Promise<BackendInfo> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dir = wasmDistDir();
  if (!wasmPathsSet) {
    // Node has no threaded wasm build in tfjs; say so explicitly so the choice is the SIMD file.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasm.setWasmPaths(dir + '/');
    wasmPathsSet = true;
  }
  const kernelsAdded = registerWasmKernels();
  // After the wasm kernels: those become the native kernels' fallbacks for unsupported shapes.
  const nativeKernels = registerNativeKernels();
  const started = await withoutNewProcessListeners(() => tf.setBackend('wasm'));
  if (!started) throw new RunError(`runtime.backend: the wasm backend failed to start (its .wasm files are in ${dir})`);
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') as boolean;
  const binary = simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm';
  return info('wasm', { simd, wasmBinary: join(dir, binary), threads: wasm.getThreadsCount(), kernelsAdded,
    native: nativeKernels.ok ? 'on' : nativeKernels.reason ?? 'off' });
}

function notInstalled(name: keyof typeof NATIVE_PACKAGES): RunError {
  const pkg = NATIVE_PACKAGES[name];
  return new RunError(`runtime.backend: ${name} needs ${pkg}, which is not installed (got backend '${name}'); install it with \`npm install ${pkg}\` or choose wasm`);
}

/**
 * Starts the backend `name` and makes it tfjs's current backend. Steps:
 *  1. quiet tfjs's console banners (prod mode) so that only the caller decides what is printed;
 *  2. import the backend's package (native ones optionally) and register sg3's kernels (wasm;
 *     the cpu backend's faster Slice is always registered);
 *  3. tf.setBackend and report what runs.
 * Calling it again switches backends (tensors move between backends on use).
 */
export async function initBackend(name: BackendName): Promise<BackendInfo> {
  tf.enableProdMode();
  // The cpu backend is always registered (tests and fallbacks move tensors through it).
  const cpuKernels = registerCpuKernels();
  switch (name) {
    case 'cpu':
      await tf.setBackend('cpu');
      return info('cpu', { kernelsAdded: cpuKernels });
    case 'wasm':
      return startWasm();
    case 'tensorflow-gpu':
    case 'tensorflow':
      return (await startNative(name)) ?? Promise.reject(notInstalled(name));
    case 'auto': {
      const skipped: string[] = [];
      for (const candidate of ['tensorflow-gpu', 'tensorflow'] as const) {
        let started: BackendInfo | null;
        try {
          started = await startNative(candidate);
        } catch (e) {
          // Installed but unusable (e.g. no CUDA): auto moves on, an explicit request would throw.
          skipped.push(`${NATIVE_PACKAGES[candidate]}: ${(e as Error).message}`);
          continue;
        }
        if (started) return { ...started, skipped };
        skipped.push(`${NATIVE_PACKAGES[candidate]}: not installed`);
      }
      return { ...(await startWasm()), skipped };
    }
    default:
      throw new RunError(`runtime.backend: unknown backend (got '${String(name)}'; valid: ${BACKEND_NAMES.join(', ')})`);
  }
}

/** One human line for logs: `wasm (@tensorflow/tfjs-backend-wasm, SIMD, native conv kernels)`. */
export function describeBackend(info: BackendInfo): string {
  const extras: string[] = [];
  if (info.simd) extras.push('SIMD');
  if (info.native === 'on') extras.push('native conv kernels');
  else if (info.native) extras.push(`no native kernels: ${info.native}`);
  return `${info.name} (${[info.package, ...extras].join(', ')})`;
}
