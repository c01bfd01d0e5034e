/**
 * Image resampling for dataset preparation, on interleaved uint8 pixels (HWC).
 *
 * resizeLanczos follows PIL's `Image.resize(..., LANCZOS)` (what the official dataset_tool uses):
 *   1. per output pixel x, its centre in the input is (x + 0.5) * scale, scale = in / out
 *   2. the Lanczos-3 kernel sinc(t) sinc(t/3) is stretched by max(scale, 1), so downscaling
 *      low-passes (anti-aliases) and upscaling interpolates
 *   3. taps outside the image are dropped and the rest renormalised to sum 1
 *   4. horizontal pass, then vertical pass (float intermediate), round and clip to 0..255
 * PIL rounds to uint8 between the passes and uses fixed-point weights, so values can differ
 * from PIL by one or two levels.
 */

const LANCZOS_A = 3;

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

function lanczos(x: number): number {
  return x > -LANCZOS_A && x < LANCZOS_A ? sinc(x) * sinc(x / LANCZOS_A) : 0;
}

interface Taps { start: Int32Array; count: Int32Array; weights: Float64Array; width: number }

/** Per output index: first input index, number of taps, normalised weights (stride `width`). */
function computeTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = LANCZOS_A * filterScale;
  const width = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * width);
  for (let x = 0; x < outSize; x++) {
    const center = (x + 0.5) * scale;
    const lo = Math.max(0, Math.trunc(center - support + 0.5));
    const hi = Math.min(inSize, Math.trunc(center + support + 0.5));
    let sum = 0;
    for (let i = lo; i < hi; i++) {
      const w = lanczos((i - center + 0.5) / filterScale);
      weights[x * width + i - lo] = w;
      sum += w;
    }
    for (let i = lo; i < hi; i++) weights[x * width + i - lo]! /= sum;
    start[x] = lo;
    count[x] = hi - lo;
  }
  return { start, count, weights, width };
}

/** Resizes HWC uint8 pixels from w x h to outW x outH with PIL-style Lanczos-3. */
export function resizeLanczos(pixels: Uint8Array, w: number, h: number, c: number, outW: number, outH: number): Uint8Array {
  if (w === outW && h === outH) return pixels.slice();
  // Horizontal pass: [h, w, c] -> [h, outW, c] (float).
  const tx = computeTaps(w, outW);
  const mid = new Float64Array(h * outW * c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < outW; x++) {
      const s = tx.start[x]!;
      const n = tx.count[x]!;
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += tx.weights[x * tx.width + k]! * pixels[(y * w + s + k) * c + ch]!;
        mid[(y * outW + x) * c + ch] = acc;
      }
    }
  }
  // Vertical pass: [h, outW, c] -> [outH, outW, c], round half up and clip as PIL does.
  const ty = computeTaps(h, outH);
  const out = new Uint8Array(outH * outW * c);
  const row = outW * c;
  for (let y = 0; y < outH; y++) {
    const s = ty.start[y]!;
    const n = ty.count[y]!;
    for (let i = 0; i < row; i++) {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += ty.weights[y * ty.width + k]! * mid[(s + k) * row + i]!;
      const v = Math.floor(acc + 0.5);
      out[y * row + i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return out;
}

/** The official center_crop: the central min(w, h) square, rows/cols [(n - crop) // 2, (n + crop) // 2). */
export function centerCrop(pixels: Uint8Array, w: number, h: number, c: number): { pixels: Uint8Array; size: number } {
  const size = Math.min(w, h);
  const y0 = Math.floor((h - size) / 2);
  const x0 = Math.floor((w - size) / 2);
  const out = new Uint8Array(size * size * c);
  for (let y = 0; y < size; y++) {
    out.set(pixels.subarray(((y0 + y) * w + x0) * c, ((y0 + y) * w + x0 + size) * c), y * size * c);
  }
  return { pixels: out, size };
}

/**
 * Channel conversion of HWC pixels: alpha is dropped; gray -> RGB replicates; RGB -> gray is
 * PIL's 'L' conversion (ITU-R 601-2 luma, L = (19595 R + 38470 G + 7471 B + 2^15) >> 16).
 */
export function convertChannels(pixels: Uint8Array, count: number, from: number, to: 1 | 3): Uint8Array {
  const color = from >= 3;
  if ((from === 1 && to === 1) || (from === 3 && to === 3)) return pixels.slice();
  const out = new Uint8Array(count * to);
  for (let p = 0; p < count; p++) {
    const s = p * from;
    if (to === 3) {
      if (color) { out[p * 3] = pixels[s]!; out[p * 3 + 1] = pixels[s + 1]!; out[p * 3 + 2] = pixels[s + 2]!; }
      else out[p * 3] = out[p * 3 + 1] = out[p * 3 + 2] = pixels[s]!;
    } else {
      out[p] = color ? (19595 * pixels[s]! + 38470 * pixels[s + 1]! + 7471 * pixels[s + 2]! + 0x8000) >>> 16 : pixels[s]!;
    }
  }
  return out;
}
