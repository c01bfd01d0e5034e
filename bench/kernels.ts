/**
 * Micro-benchmark of the native convolution kernels against the wasm backend's own (not a test).
 *
 *     npx tsx bench/kernels.ts            # GEMM peak + typical SG3 conv shapes, wasm vs native
 *     SG3_THREADS=1 npx tsx bench/kernels.ts --quick
 *
 * 1. GEMM peak: the addon's GEMM on large square problems (the machine's reference number).
 * 2. Per shape and kernel: best-of-N wall time on wasm (sg3's wasm kernels: XNNPACK forward,
 *    composite gradients) and on native, the speed-up, native GFLOP/s (2 * multiply-adds) and its
 *    share of the GEMM peak, by wall time and by CPU time (GFLOP per CPU-second, all threads).
 * Each measurement stops after ~0.6 s (0.2 s with --quick) so a run stays short on a shared machine.
 */
import { pathToFileURL } from 'node:url';
import { tf, initBackend } from '../src/backend/index.ts';
import { loadAddon, registerNativeKernels, unregisterNativeKernels, nativeKernelInfo } from '../src/backend/native/index.ts';

const quick = process.argv.includes('--quick');
const BUDGET_S = quick ? 0.2 : 0.6;

export interface Timing { wall: number; cpu: number }  // seconds; cpu sums all threads of the process

/**
 * Best wall time and best CPU time (s) of repeated calls of fn, after one warm-up call, within the
 * time budget. CPU time is the fairer number on a shared machine: it does not count the time other
 * processes hold the cores (it does count cache and memory contention).
 */
function best(fn: () => void, maxReps = 20): Timing {
  fn();
  const t: Timing = { wall: Infinity, cpu: Infinity };
  const start = performance.now();
  for (let i = 0; i < maxReps && (i < 2 || performance.now() - start < BUDGET_S * 1000); i++) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    t.wall = Math.min(t.wall, (performance.now() - t0) / 1000);
    t.cpu = Math.min(t.cpu, (c.user + c.system) / 1e6);
  }
  return t;
}

/** GFLOP/s (wall) and GFLOP per CPU-second of the addon's GEMM on one n^3 problem. */
export function gemmPeak(n: number): Timing {
  const { addon } = loadAddon();
  const a = Float32Array.from({ length: n * n }, () => Math.random() - 0.5);
  const b = Float32Array.from({ length: n * n }, () => Math.random() - 0.5);
  const c = new Float32Array(n * n);
  const t = best(() => addon.gemm(a, b, c, n, n, n), 10);
  return { wall: (2 * n ** 3) / t.wall / 1e9, cpu: (2 * n ** 3) / t.cpu / 1e9 };  // GFLOP/s, GFLOP per CPU-second
}

interface Shape { name: string; x: number[]; f: number[]; s: number; depthwise?: boolean }
const SHAPES: Shape[] = [
  { name: 'conv 3x3 [4,36,36,128]->128', x: [4, 36, 36, 128], f: [3, 3, 128, 128], s: 1 },
  { name: 'conv 1x1 [4,52,52,128]->128', x: [4, 52, 52, 128], f: [1, 1, 128, 128], s: 1 },
  { name: 'conv 3x3 s2 [4,36,36,128]->128', x: [4, 36, 36, 128], f: [3, 3, 128, 128], s: 2 },
  { name: 'dw 1x12 [4,72,72,128]', x: [4, 72, 72, 128], f: [1, 12, 128, 1], s: 1, depthwise: true },
  { name: 'dw 12x1 s2 [4,72,72,128]', x: [4, 72, 72, 128], f: [12, 1, 128, 1], s: 2, depthwise: true },
];

/**
 * The machine's GEMM peak: the better of the addon's GEMM at each size (wall GFLOP/s and GFLOP per
 * CPU-second). 2048^3 streams 48 MB, so memory traffic from other processes on a shared machine
 * weighs more on it than on 1024^3. `log` receives one line per size.
 */
export function measureGemmPeak(sizes: number[] = [1024, 2048], log: (line: string) => void = () => {}): Timing {
  const peaks = sizes.map((n) => ({ n, ...gemmPeak(n) }));
  for (const p of peaks) log(`GEMM ${p.n}^3 (native): ${p.wall.toFixed(1)} GFLOP/s wall, ${p.cpu.toFixed(1)} GFLOP per CPU-second`);
  return { wall: Math.max(...peaks.map((p) => p.wall)), cpu: Math.max(...peaks.map((p) => p.cpu)) };
}

function kernelsOf(s: Shape): [string, number, () => tf.Tensor][] {
  const x = tf.randomUniform(s.x, -1, 1), f = tf.randomUniform(s.f, -1, 1);
  const pad = s.depthwise ? 'valid' : 'same';
  const info = tf.backend_util.computeConv2DInfo(s.x as never, s.f as never, s.s, 1, pad, undefined, !!s.depthwise);
  const dy = tf.randomUniform(info.outShape, -1, 1);
  const [kh, kw, ci, co] = s.f as [number, number, number, number];
  const macs = info.outShape.slice(0, 3).reduce((a, b) => a * b, 1) * kh * kw * (s.depthwise ? ci * co : ci * co);
  const strides = [s.s, s.s];
  const run = (k: string, inputs: object, attrs: object) => () => tf.engine().runKernel(k, inputs as never, attrs as never) as tf.Tensor;
  const common = s.depthwise ? { strides, pad, dilations: [1, 1] } : { strides, pad, dataFormat: 'NHWC', dilations: [1, 1] };
  const prefix = s.depthwise ? 'DepthwiseConv2dNative' : 'Conv2D';
  return [
    ['forward', 2 * macs, run(prefix, { x, filter: f }, common)],
    ['grad input', 2 * macs, run(`${prefix}BackpropInput`, { dy, filter: f }, { ...common, inputShape: s.x })],
    ['grad filter', 2 * macs, run(`${prefix}BackpropFilter`, { x, dy }, { ...common, filterShape: s.f })],
  ];
}

function time(fn: () => tf.Tensor): Timing {
  return best(() => fn().dispose());
}

async function main(): Promise<void> {
  await initBackend('wasm');
  const reg = registerNativeKernels();
  if (!reg.ok) throw new Error(reg.reason);
  const info = nativeKernelInfo()!;
  console.log(`native: ${info.isa}, ${info.threads} threads, ${info.compiled ? `compiled in ${info.buildSeconds.toFixed(1)} s` : 'from cache'}`);
  const peak = measureGemmPeak(quick ? [1024] : [1024, 2048], (line) => console.log(line));
  console.log(`GEMM peak: ${peak.wall.toFixed(1)} GFLOP/s wall, ${peak.cpu.toFixed(1)} GFLOP per CPU-second\n`);
  console.log('shape                               kernel       wasm ms native ms speed-up  GFLOP/s  %peak  GFLOP/cpu-s  %peak');
  const f1 = (v: number, w: number) => v.toFixed(1).padStart(w);
  for (const s of SHAPES) {
    for (const [kernel, flops, fn] of kernelsOf(s)) {
      unregisterNativeKernels();
      const w = time(fn);
      registerNativeKernels();
      const t = time(fn);
      const gWall = flops / t.wall / 1e9, gCpu = flops / t.cpu / 1e9;
      console.log(`${s.name.padEnd(36)}${kernel.padEnd(12)}${f1(w.wall * 1e3, 8)}${f1(t.wall * 1e3, 10)}${f1(w.wall / t.wall, 8)}x` +
        `${f1(gWall, 9)}${f1((100 * gWall) / peak.wall, 6)}%${f1(gCpu, 12)}${f1((100 * gCpu) / peak.cpu, 6)}%`);
    }
  }
}

// Run as a script (not when bench.ts imports measureGemmPeak).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
