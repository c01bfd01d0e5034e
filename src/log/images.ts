/**
 * Image grids as the official `training_loop.save_image_grid` makes them.
 *
 * imageGrid(images [N, C, H, W] float, NCHW as the official code):
 *   1. x = (x - lo) * (255 / (hi - lo)) in float32 (drange [lo, hi], default [-1, 1])
 *   2. rint (round half to even, as np.rint), clip to 0..255, uint8
 *   3. sample i goes to grid cell (row = i div gw, col = i mod gw): reshape [gh, gw, C, H, W],
 *      transpose to [gh, H, gw, W, C], reshape to an HWC image [gh*H, gw*W, C]
 * Cells past N stay black (the official code requires N = gw*gh; we allow fewer).
 */

export interface ImageGrid {
  pixels: Uint8Array;   // HWC, uint8
  width: number;        // gw * W
  height: number;       // gh * H
  channels: number;
}

export interface GridOptions {
  gridW?: number;                  // gw; default ceil(sqrt(N))
  gridH?: number;                  // gh; default ceil(N / gw)
  drange?: [number, number];       // [lo, hi] of the input values
}

/** np.rint: round half to even. */
function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function imageGrid(images: ArrayLike<number>, shape: [number, number, number, number], options: GridOptions = {}): ImageGrid {
  const [n, c, h, w] = shape;
  if (images.length !== n * c * h * w) throw new Error(`imageGrid: shape [${shape.join(', ')}] needs ${n * c * h * w} values (got ${images.length})`);
  if (c < 1 || c > 4) throw new Error(`imageGrid: channels must be 1..4 (got ${c})`);
  const gw = options.gridW ?? Math.max(1, Math.ceil(Math.sqrt(n)));
  const gh = options.gridH ?? Math.max(1, Math.ceil(n / gw));
  if (gw * gh < n) throw new Error(`imageGrid: a ${gw}x${gh} grid cannot hold ${n} images (got gridW=${gw}, gridH=${gh})`);
  const [lo, hi] = options.drange ?? [-1, 1];
  const scale = Math.fround(255 / (hi - lo));
  const loF = Math.fround(lo);
  const width = gw * w;
  const height = gh * h;
  const pixels = new Uint8Array(width * height * c);
  for (let i = 0; i < n; i++) {
    const y0 = Math.floor(i / gw) * h;
    const x0 = (i % gw) * w;
    for (let ch = 0; ch < c; ch++) {
      const plane = (i * c + ch) * h * w;
      for (let y = 0; y < h; y++) {
        const row = ((y0 + y) * width + x0) * c + ch;
        for (let x = 0; x < w; x++) {
          const v = rint(Math.fround(Math.fround(images[plane + y * w + x]! - loF) * scale));
          pixels[row + x * c] = v < 0 ? 0 : v > 255 ? 255 : v;   // NaN -> 0 like numpy's cast after clip
        }
      }
    }
  }
  return { pixels, width, height, channels: c };
}
