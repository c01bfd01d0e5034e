/**
 * The built-in procedural dataset (`kind: procedural`): no download, deterministic by
 * (seed, index), band-limited and unaligned, so that equivariance is exercised from the first
 * step. Each image is a textured background (a linear gradient plus two sinusoidal gratings)
 * under 2-4 shapes — discs, rings, rotated boxes, filled flat, with a sinusoidal stripe grating
 * or with a linear gradient — at random sub-pixel positions and rotation angles.
 *
 * renderProcedural, per image:
 *   1. draw all parameters from Rng(seed, index) (continuous positions and angles)
 *   2. render on a 2x supersampled grid, extended by the filter's half length on every side;
 *      shape edges are 1-fine-pixel linear ramps (box-filtered edges), gratings stay below
 *      0.3 cycles/pixel, so the fine render itself aliases little
 *   3. low-pass with a 16-tap Kaiser-windowed sinc (cutoff 0.35, stopband 0.5 cycles per
 *      output pixel, ~40 dB) and decimate by 2, separably: rows, then columns
 *   4. round to uint8, CHW
 * With `filtered: false` it point-samples hard edges at 1x instead (for tests and demos of
 * aliasing). Pixel values are identical across platforms for a given Node/V8 version.
 */
import { Rng } from './rng.ts';
import { designLowpass } from './lowpass.ts';
import { checkIndex, type ImageDataset } from './types.ts';

const SUPERSAMPLE = 2;
const TAPS = designLowpass(16, 0.35, 0.15, SUPERSAMPLE);

type Color = [number, number, number];
type ShapeKind = 'disc' | 'ring' | 'box';
type FillKind = 'flat' | 'stripes' | 'gradient';
interface Shape {
  kind: ShapeKind; fill: FillKind;
  cx: number; cy: number; r: number; thickness: number; aspect: number;
  cos: number; sin: number;            // rotation of the shape and of its fill
  color: Color; color2: Color; freq: number; phase: number;
}
interface Wave { fx: number; fy: number; phase: number; amp: Color }
interface Scene { base: Color; grad: Color; gdx: number; gdy: number; waves: Wave[]; shapes: Shape[] }

function color(rng: Rng, lo: number, hi: number): Color {
  return [rng.uniform(lo, hi), rng.uniform(lo, hi), rng.uniform(lo, hi)];
}

/** Step 1: all random draws, in output-pixel units (pixel centres at x + 0.5). */
function drawScene(rng: Rng, res: number): Scene {
  const angle = rng.uniform(0, 2 * Math.PI);
  const waves: Wave[] = [0, 1].map(() => {
    const f = rng.uniform(0.04, 0.25);
    const a = rng.uniform(0, 2 * Math.PI);
    const amp = rng.uniform(0.03, 0.1);
    return { fx: f * Math.cos(a), fy: f * Math.sin(a), phase: rng.uniform(0, 2 * Math.PI), amp: color(rng, amp * 0.5, amp) };
  });
  const shapes: Shape[] = [];
  const count = 2 + rng.int(3);
  for (let i = 0; i < count; i++) {
    const theta = rng.uniform(0, 2 * Math.PI);
    const r = res * rng.uniform(0.12, 0.32);
    shapes.push({
      kind: (['disc', 'ring', 'box'] as const)[rng.int(3)]!,
      fill: (['flat', 'stripes', 'gradient'] as const)[rng.int(3)]!,
      cx: res * rng.uniform(-0.05, 1.05), cy: res * rng.uniform(-0.05, 1.05), r,
      thickness: Math.max(1.5, r * rng.uniform(0.2, 0.45)), aspect: rng.uniform(0.5, 1),
      cos: Math.cos(theta), sin: Math.sin(theta),
      color: color(rng, 0.1, 0.9), color2: color(rng, 0.1, 0.9),
      freq: rng.uniform(0.12, 0.28), phase: rng.uniform(0, 2 * Math.PI),
    });
  }
  return {
    base: color(rng, 0.25, 0.75), grad: color(rng, -0.25, 0.25),
    gdx: Math.cos(angle) / res, gdy: Math.sin(angle) / res, waves, shapes,
  };
}

/** Signed distance (output pixels, > 0 outside) from local, rotated coordinates (u, v). */
function distance(s: Shape, u: number, v: number): number {
  if (s.kind === 'disc') return Math.sqrt(u * u + v * v) - s.r;
  if (s.kind === 'ring') return Math.abs(Math.sqrt(u * u + v * v) - s.r + s.thickness / 2) - s.thickness / 2;
  return Math.max(Math.abs(u) - s.r, Math.abs(v) - s.r * s.aspect);
}

/**
 * Step 2: render `ch` planes of n x n samples spaced `step` output pixels apart, the first at
 * output coordinate `origin` (both axes). `edge` = width of the edge ramp (0 = hard edges).
 */
function renderPlanes(scene: Scene, ch: number, n: number, origin: number, step: number, edge: number): Float32Array[] {
  const planes = Array.from({ length: ch }, () => new Float32Array(n * n));
  const coord = (i: number) => origin + i * step;
  // Background: base + gradient + gratings; each grating is separable: cos(a+b) = cos a cos b - sin a sin b.
  for (let c = 0; c < ch; c++) {
    const p = planes[c]!;
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
      p[y * n + x] = scene.base[c]! + scene.grad[c]! * ((coord(x) * scene.gdx + coord(y) * scene.gdy) - 0.5);
    }
  }
  for (const w of scene.waves) {
    const cx = Float64Array.from({ length: n }, (_, i) => Math.cos(2 * Math.PI * w.fx * coord(i)));
    const sx = Float64Array.from({ length: n }, (_, i) => Math.sin(2 * Math.PI * w.fx * coord(i)));
    for (let y = 0; y < n; y++) {
      const a = 2 * Math.PI * w.fy * coord(y) + w.phase;
      const cy = Math.cos(a);
      const sy = Math.sin(a);
      for (let x = 0; x < n; x++) {
        const g = cx[x]! * cy - sx[x]! * sy;
        for (let c = 0; c < ch; c++) planes[c]![y * n + x]! += w.amp[c]! * g;
      }
    }
  }
  for (const s of scene.shapes) drawShape(planes, s, n, origin, step, edge);
  return planes;
}

function drawShape(planes: Float32Array[], s: Shape, n: number, origin: number, step: number, edge: number): void {
  // Only the samples inside the shape's bounding circle (+ the edge ramp) can change.
  const reach = s.r + edge + 1;
  const lo = (v: number) => Math.max(0, Math.floor((v - reach - origin) / step));
  const hi = (v: number) => Math.min(n - 1, Math.ceil((v + reach - origin) / step));
  for (let y = lo(s.cy); y <= hi(s.cy); y++) {
    const dy = origin + y * step - s.cy;
    for (let x = lo(s.cx); x <= hi(s.cx); x++) {
      const dx = origin + x * step - s.cx;
      const u = s.cos * dx + s.sin * dy;
      const v = -s.sin * dx + s.cos * dy;
      const d = distance(s, u, v);
      const alpha = edge > 0 ? Math.min(1, Math.max(0, 0.5 - d / edge)) : d < 0 ? 1 : 0;
      if (alpha === 0) continue;
      const t = s.fill === 'flat' ? 0
        : s.fill === 'stripes' ? 0.5 + 0.5 * Math.cos(2 * Math.PI * s.freq * u + s.phase)
          : Math.min(1, Math.max(0, 0.5 + u / (2 * s.r)));
      for (let c = 0; c < planes.length; c++) {
        const fill = s.color[c]! + (s.color2[c]! - s.color[c]!) * t;
        const p = planes[c]!;
        p[y * n + x] = p[y * n + x]! * (1 - alpha) + fill * alpha;
      }
    }
  }
}

/** Step 3: separable low-pass + decimation of an (n x n) fine plane to res x res. */
function decimate(fine: Float32Array, n: number, res: number): Float32Array {
  const taps = TAPS;
  const k = taps.length;
  const rows = new Float32Array(n * res);
  for (let y = 0; y < n; y++) for (let o = 0; o < res; o++) {
    let acc = 0;
    const base = y * n + o * SUPERSAMPLE;
    for (let t = 0; t < k; t++) acc += taps[t]! * fine[base + t]!;
    rows[y * res + o] = acc;
  }
  const out = new Float32Array(res * res);
  for (let o = 0; o < res; o++) for (let x = 0; x < res; x++) {
    let acc = 0;
    for (let t = 0; t < k; t++) acc += taps[t]! * rows[(o * SUPERSAMPLE + t) * res + x]!;
    out[o * res + x] = acc;
  }
  return out;
}

export interface RenderOptions { filtered?: boolean }

/** One procedural image, uint8 CHW [channels, res, res]. channels 1 renders luminance. */
export function renderProcedural(seed: number, index: number, res: number, channels: number, options: RenderOptions = {}): Uint8Array {
  const scene = drawScene(new Rng(seed, index), res);
  if (channels === 1) grayScene(scene);
  const ch = channels === 1 ? 1 : 3;
  let planes: Float32Array[];
  if (options.filtered === false) {
    planes = renderPlanes(scene, ch, res, 0.5, 1, 0);
  } else {
    // Output pixel o is centred between fine samples 2o and 2o+1; the 16 taps reach 7 fine
    // samples before and 8 after, so the fine grid starts 7 samples before pixel 0's first.
    const k = TAPS.length;
    const n = res * SUPERSAMPLE + k - SUPERSAMPLE;
    const origin = (0.5 - (k / 2 - 1)) / SUPERSAMPLE;
    planes = renderPlanes(scene, ch, n, origin, 1 / SUPERSAMPLE, 1 / SUPERSAMPLE).map((p) => decimate(p, n, res));
  }
  const out = new Uint8Array(channels * res * res);
  planes.forEach((p, c) => {
    for (let i = 0; i < p.length; i++) out[c * p.length + i] = Math.min(255, Math.max(0, Math.round(p[i]! * 255)));
  });
  return out;
}

/** Luminance (ITU-R 601) of every colour, in channel 0. */
function grayScene(scene: Scene): void {
  const luma = (c: Color): Color => { const l = 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]; return [l, l, l]; };
  scene.base = luma(scene.base);
  scene.grad = luma(scene.grad);
  for (const w of scene.waves) w.amp = luma(w.amp);
  for (const s of scene.shapes) { s.color = luma(s.color); s.color2 = luma(s.color2); }
}

export function openProcedural(options: { seed: number; num_images: number; resolution: number; channels: number }): ImageDataset {
  const { seed, num_images, resolution, channels } = options;
  return {
    name: `procedural-${seed}`,
    size: num_images,
    resolution,
    channels,
    labelDim: 0,
    read(index) {
      checkIndex('procedural.read', index, num_images);
      return { image: renderProcedural(seed, index, resolution, channels), label: new Float32Array(0) };
    },
    close: () => {},
  };
}
