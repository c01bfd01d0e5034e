import test from 'ava';
import { PNG } from 'pngjs';
import { encodePng } from '../../src/log/png.ts';
import { imageGrid } from '../../src/log/images.ts';

for (const channels of [1, 2, 3, 4]) {
  test(`encodePng channels=${channels}: decodes to the same pixels and color type`, (t) => {
    const [w, h] = [7, 5];
    const px = new Uint8Array(w * h * channels);
    for (let i = 0; i < px.length; i++) px[i] = (i * 53 + 11) % 256;
    const bytes = encodePng(px, w, h, channels);
    const colorType: Record<number, number> = { 1: 0, 2: 4, 3: 2, 4: 6 };
    t.is(bytes[25], colorType[channels]);                      // IHDR color type
    const back = PNG.sync.read(Buffer.from(bytes));            // pngjs always returns RGBA
    t.is(back.width, w);
    t.is(back.height, h);
    for (let p = 0; p < w * h; p++) {
      const rgba = [...back.data.subarray(p * 4, p * 4 + 4)];
      const src = [...px.subarray(p * channels, (p + 1) * channels)];
      const want = channels === 1 ? [src[0], src[0], src[0], 255]
        : channels === 2 ? [src[0], src[0], src[0], src[1]]
          : channels === 3 ? [...src, 255] : src;
      if (JSON.stringify(rgba) !== JSON.stringify(want)) return t.fail(`pixel ${p}: ${rgba} vs ${want}`);
    }
    t.pass();
  });
}

test('encodePng rejects a buffer of the wrong size or bad channels', (t) => {
  t.throws(() => encodePng(new Uint8Array(5), 2, 2, 1), { message: 'encodePng: expected 2x2x1 = 4 bytes (got 5)' });
  t.throws(() => encodePng(new Uint8Array(10), 2, 1, 5), { message: 'encodePng: channels must be 1..4 (got 5)' });
});

test('imageGrid places sample i at row i div gw, col i mod gw (NCHW in, HWC out)', (t) => {
  const [n, c, h, w] = [6, 3, 2, 3];
  const gw = 3;
  const gh = 2;
  // Values chosen so that drange [0, 255] maps them to themselves.
  const img = new Float32Array(n * c * h * w).map((_, i) => i % 251);
  const grid = imageGrid(img, [n, c, h, w], { gridW: gw, gridH: gh, drange: [0, 255] });
  t.is(grid.width, gw * w);
  t.is(grid.height, gh * h);
  t.is(grid.channels, c);
  for (let i = 0; i < n; i++) for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const gy = Math.floor(i / gw);
    const gx = i % gw;
    const got = grid.pixels[((gy * h + y) * grid.width + gx * w + x) * c + ch];
    const want = img[((i * c + ch) * h + y) * w + x];
    if (got !== want) return t.fail(`i=${i} c=${ch} y=${y} x=${x}: ${got} != ${want}`);
  }
  t.pass();
});

test('imageGrid quantises like save_image_grid: (x-lo)*255/(hi-lo), rint half to even, clip', (t) => {
  const vals = [0.5, 1.5, 2.5, -3, 300, 254.5, 253.5, Number.NaN];
  const grid = imageGrid(Float32Array.from(vals), [1, 1, 1, vals.length], { drange: [0, 255] });
  t.deepEqual([...grid.pixels], [0, 2, 2, 0, 255, 254, 254, 0]);
  // The default drange [-1, 1]: -1 -> 0, 1 -> 255, 0 -> rint(127.5) = 128.
  const g2 = imageGrid(Float32Array.from([-1, 1, 0, -2, 2]), [1, 1, 1, 5]);
  t.deepEqual([...g2.pixels], [0, 255, 128, 0, 255]);
});

test('imageGrid with fewer images than cells leaves the rest black; too many throws', (t) => {
  const grid = imageGrid(new Float32Array(3).fill(1), [3, 1, 1, 1], { gridW: 2, gridH: 2 });
  t.deepEqual([...grid.pixels], [255, 255, 255, 0]);
  t.throws(() => imageGrid(new Float32Array(5), [5, 1, 1, 1], { gridW: 2, gridH: 2 }), { message: /cannot hold 5 images/ });
  t.throws(() => imageGrid(new Float32Array(5), [2, 1, 1, 1]), { message: 'imageGrid: shape [2, 1, 1, 1] needs 2 values (got 5)' });
});
