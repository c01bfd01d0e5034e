/**
 * Building and loading the addon: cache reuse (a second load compiles nothing), the build lock
 * (two processes building into an empty cache compile once), one-line failures (missing
 * compiler, compile error), and the fallbacks seen from a fresh process: SG3_NATIVE=0 and an
 * unusable compiler both leave the wasm kernels in place and report why; SG3_THREADS is honoured.
 * One compile into a temporary cache (~10-30 s on a busy 2-core machine) is the slow part.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildNative, loadAddon, NativeBuildError } from '../../src/backend/native/index.ts';
import { REPO_ROOT } from '../../src/backend/native/build.ts';

const tmp = mkdtempSync(join(tmpdir(), 'sg3-native-test-'));
test.after.always(() => rmSync(tmp, { recursive: true, force: true }));

interface Child { code: number | null; out: string; err: string }

/** Runs a TypeScript module in a fresh node (through tsx) with extra environment variables. */
function runChild(source: string, env: Record<string, string>): Promise<Child> {
  const file = join(tmp, `child-${Math.random().toString(36).slice(2)}.mts`);
  writeFileSync(file, source);
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', file], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
    let out = '', err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

const src = (rel: string) => JSON.stringify(pathToFileURL(join(REPO_ROOT, rel)).href);

test('the second load of the default build compiles nothing and returns the same file', (t) => {
  const first = buildNative();
  const mtime = statSync(first.path).mtimeMs;
  const second = buildNative();
  t.false(second.compiled);
  t.is(second.path, first.path);
  t.is(statSync(second.path).mtimeMs, mtime);
  t.regex(first.path, /sg3-native[/\\][0-9a-f]{16}[/\\]sg3native\.node$/);
});

test('two processes building into an empty cache compile once and share the result', async (t) => {
  const cacheDir = join(tmp, 'cache-lock');
  const child = `import { buildNative, loadAddon } from ${src('src/backend/native/index.ts')};
const r = buildNative({ cacheDir: ${JSON.stringify(cacheDir)} });
const { addon } = loadAddon({ cacheDir: ${JSON.stringify(cacheDir)} });
const c = new Float32Array(4);
addon.gemm(new Float32Array([1, 2, 3, 4, 5, 6]), new Float32Array([1, 0, 0, 1, 1, 1]), c, 2, 2, 3);
console.log(JSON.stringify({ compiled: r.compiled, path: r.path, c: Array.from(c) }));`;
  const [a, b] = await Promise.all([runChild(child, {}), runChild(child, {})]);
  t.is(a.code, 0, a.err);
  t.is(b.code, 0, b.err);
  const ra = JSON.parse(a.out), rb = JSON.parse(b.out);
  t.is(Number(ra.compiled) + Number(rb.compiled), 1, 'exactly one process compiled');
  t.is(ra.path, rb.path);
  t.deepEqual(ra.c, [4, 5, 10, 11]);  // [1 2 3; 4 5 6] x [1 0; 0 1; 1 1]
  const dir = join(cacheDir, readdirSync(cacheDir)[0]!);
  t.deepEqual(readdirSync(dir), ['sg3native.node'], 'no lock or temp file left');
});

test('a missing compiler fails with a one-line NativeBuildError', (t) => {
  const e = t.throws(() => buildNative({ compiler: join(tmp, 'no-such-g++'), cacheDir: join(tmp, 'cache-nocc') }), { instanceOf: NativeBuildError });
  t.regex(e!.message, /^native build: compiler '.*no-such-g\+\+' is not usable \(got ENOENT\)$/);
});

test('an unwritable cache directory fails with a one-line NativeBuildError naming SG3_NATIVE_CACHE', (t) => {
  writeFileSync(join(tmp, 'a-file'), '');
  const e = t.throws(() => buildNative({ cacheDir: join(tmp, 'a-file', 'cache') }), { instanceOf: NativeBuildError });
  t.regex(e!.message, /^native build: cannot create the cache directory .*a-file.* \(got ENOTDIR\); set SG3_NATIVE_CACHE to a writable one$/);
});

test('a failing compile fails with a one-line NativeBuildError and leaves no lock or partial file', (t) => {
  const cacheDir = join(tmp, 'cache-fail');
  const e = t.throws(() => buildNative({ cacheDir, extraFlags: ['-fno-such-option-sg3'] }), { instanceOf: NativeBuildError });
  t.regex(e!.message, /^native build: g\+\+ failed \(got: .*no-such-option-sg3.*\)$/);
  t.false(e!.message.includes('\n'));
  const dir = join(cacheDir, readdirSync(cacheDir)[0]!);
  t.deepEqual(readdirSync(dir), []);
});

test('loadAddon validates geometry and view sizes (a short view throws instead of writing past it)', (t) => {
  const { addon } = loadAddon();
  //            batch h w c  oh ow oc fh fw sh sw dh dw pt pl mult
  const g = Int32Array.from([1, 4, 4, 2, 4, 4, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1]);
  const x = new Float32Array(32), w = new Float32Array(54);
  t.throws(() => addon.conv2d(x, w, new Float32Array(47), g), { message: /output is too short \(got 47 elements, needs 48\)/ });
  t.throws(() => addon.conv2d(x, w, new Float32Array(48), g.slice(0, 15)), { message: /geometry is too short/ });
  t.throws(() => addon.conv2d(x, w, new Float32Array(48), Int32Array.from(g, (v, i) => (i === 9 ? 0 : v))), { message: /< 1 \(got 0\)/ });
  t.notThrows(() => addon.conv2d(x, w, new Float32Array(48), g));
});

test('the portable micro-kernels (built with -mno-avx512f) match the default build', (t) => {
  const portable = loadAddon({ cacheDir: join(tmp, 'cache-portable'), extraFlags: ['-mno-avx512f'] }).addon;
  const native = loadAddon().addon;
  t.true(['avx2', 'generic'].includes(portable.info().isa), portable.info().isa);
  const rand = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 1000 + i * 12.9898) * 0.5);
  //                    batch h  w  c  oh ow oc fh fw sh sw dh dw pt pl mult
  const geoms = [[2, 9, 10, 37, 5, 5, 45, 3, 3, 2, 2, 1, 1, 1, 1, 1], [1, 7, 6, 300, 7, 6, 17, 1, 1, 1, 1, 1, 1, 0, 0, 1]];
  for (const gv of geoms) {
    const g = Int32Array.from(gv);
    const [B, H, W, C, OH, OW, OC, FH, FW] = gv as [number, number, number, number, number, number, number, number, number];
    const x = rand(B * H * W * C, 1), w = rand(FH * FW * C * OC, 2), dy = rand(B * OH * OW * OC, 3);
    const abs = (a: Float32Array) => a.map(Math.abs);
    const runs: [string, (m: typeof native, a: Float32Array, b: Float32Array, o: Float32Array) => void, Float32Array, Float32Array, number][] = [
      ['conv2d', (m, a, b, o) => m.conv2d(a, b, o, g), x, w, dy.length],
      ['conv2dBackpropInput', (m, a, b, o) => m.conv2dBackpropInput(a, b, o, g), dy, w, x.length],
      ['conv2dBackpropFilter', (m, a, b, o) => m.conv2dBackpropFilter(a, b, o, g), x, dy, w.length],
    ];
    for (const [name, run, a, b, n] of runs) {
      const p = new Float32Array(n), d = new Float32Array(n), s = new Float32Array(n);
      run(portable, a, b, p);
      run(native, a, b, d);
      run(native, abs(a), abs(b), s);
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(p[i]! - d[i]!) / (s[i]! + 1e-30));
      t.true(worst <= 1e-5, `${name} [${gv}]: max |portable - default| / S = ${worst}`);
    }
  }
});

const FALLBACK_CHILD = `import { initBackend, tf } from ${src('src/backend/index.ts')};
import { registerNativeKernels, nativeKernelStats, nativeKernelInfo } from ${src('src/backend/native/index.ts')};
await initBackend('wasm');
const reg = registerNativeKernels();
const y = tf.conv2d(tf.ones([1, 4, 4, 2]), tf.ones([3, 3, 2, 1]), 1, 'same');
console.log(JSON.stringify({ reg, stats: nativeKernelStats().Conv2D, info: nativeKernelInfo(), y: Array.from(y.dataSync()) }));`;
const ONES_SAME = [8, 12, 12, 8, 12, 18, 18, 12, 12, 18, 18, 12, 8, 12, 12, 8];

test('SG3_NATIVE=0: the wasm kernels stay, the reason is reported', async (t) => {
  const r = await runChild(FALLBACK_CHILD, { SG3_NATIVE: '0' });
  t.is(r.code, 0, r.err);
  const o = JSON.parse(r.out);
  t.deepEqual(o.reg, { ok: false, reason: 'native kernels off (SG3_NATIVE=0): using the wasm kernels' });
  t.deepEqual(o.stats, { native: 0, fallback: 0 });
  t.is(o.info, null);
  t.deepEqual(o.y, ONES_SAME);
});

test('no usable compiler: registration reports a one-line reason and wasm keeps working', async (t) => {
  const r = await runChild(FALLBACK_CHILD, { CXX: join(tmp, 'missing-cxx'), SG3_NATIVE_CACHE: join(tmp, 'cache-child') });
  t.is(r.code, 0, r.err);
  const o = JSON.parse(r.out);
  t.false(o.reg.ok);
  t.regex(o.reg.reason, /^native kernels unavailable, using wasm \(native build: compiler '.*missing-cxx' is not usable \(got ENOENT\)\)$/);
  t.deepEqual(o.stats, { native: 0, fallback: 0 });
  t.deepEqual(o.y, ONES_SAME);
  t.false(existsSync(join(tmp, 'cache-child')), 'nothing written to the cache');
});

test('SG3_THREADS=1 runs the addon on one thread, with the same result', async (t) => {
  const r = await runChild(FALLBACK_CHILD, { SG3_THREADS: '1' });
  t.is(r.code, 0, r.err);
  const o = JSON.parse(r.out);
  t.deepEqual(o.reg, { ok: true });
  t.is(o.info.threads, 1);
  t.deepEqual(o.stats, { native: 1, fallback: 0 });
  t.deepEqual(o.y, ONES_SAME);
});

test('registered before the wasm backend starts: native runs, and a fallback still reaches wasm\'s own C kernel', async (t) => {
  // initBackend registers sg3's wasm kernels before tf.setBackend('wasm'); the wasm backend binds its
  // C functions in each kernel's setupFunc at start-up, which registration must keep.
  const child = `import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { tf } from ${src('src/backend/tf.ts')};
import { registerNativeKernels, nativeKernelStats } from ${src('src/backend/native/index.ts')};
const require = createRequire(${JSON.stringify(join(REPO_ROOT, 'package.json'))});
const wasm = require('@tensorflow/tfjs-backend-wasm');
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + '/');
const reg = registerNativeKernels();
await tf.setBackend('wasm');
const x = tf.ones([1, 7, 7, 1]), f = tf.ones([2, 2, 1, 1]);
// strides 2 with dilations 2: no native plan (tfjs ops forbid it), the original wasm kernel runs
const fb = tf.engine().runKernel('Conv2D', { x, filter: f }, { strides: 2, pad: 'valid', dataFormat: 'NHWC', dilations: 2 });
const nat = tf.conv2d(x, f, 1, 'valid');
console.log(JSON.stringify({ reg, backend: tf.getBackend(), stats: nativeKernelStats().Conv2D, fb: Array.from(fb.dataSync()), nat: Array.from(nat.dataSync()) }));`;
  const r = await runChild(child, {});
  t.is(r.code, 0, r.err);
  const o = JSON.parse(r.out);
  t.deepEqual(o.reg, { ok: true });
  t.is(o.backend, 'wasm');
  t.deepEqual(o.stats, { native: 1, fallback: 1 });
  t.deepEqual(o.fb, [4, 4, 4, 4, 4, 4, 4, 4, 4]);
  t.deepEqual(o.nat, Array(36).fill(4));
});
