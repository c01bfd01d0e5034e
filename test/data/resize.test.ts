import test from 'ava';
import { centerCrop, convertChannels, resizeLanczos } from '../../src/data/resize.ts';

test('resizeLanczos: same size is a copy; a constant image stays constant at any size', (t) => {
  const px = Uint8Array.from({ length: 5 * 5 * 3 }, (_, i) => i);
  t.deepEqual(resizeLanczos(px, 5, 5, 3, 5, 5), px);
  const flat = new Uint8Array(9 * 7 * 2).fill(77);
  for (const [w, h] of [[3, 3], [16, 16], [4, 11]] as const) {
    t.true(resizeLanczos(flat, 9, 7, 2, w, h).every((v) => v === 77), `${w}x${h}`);
  }
});

test('resizeLanczos: 2x downscale anti-aliases a Nyquist checkerboard to flat gray', (t) => {
  const n = 16;
  const board = Uint8Array.from({ length: n * n }, (_, i) => ((i % n) + Math.floor(i / n)) % 2 ? 255 : 0);
  const small = resizeLanczos(board, n, n, 1, n / 2, n / 2);
  // Away from the border (where taps are renormalised), every pixel is close to the mean 127.5.
  for (let y = 2; y < 6; y++) for (let x = 2; x < 6; x++) t.true(Math.abs(small[y * 8 + x]! - 127.5) < 3, `(${x}, ${y}) = ${small[y * 8 + x]}`);
});

test('resizeLanczos: upscaling a smooth ramp keeps it monotone and in range', (t) => {
  const ramp = Uint8Array.from({ length: 8 }, (_, i) => 30 * i);           // 8x1 gray
  const up = resizeLanczos(ramp, 8, 1, 1, 32, 1);
  for (let i = 5; i < 27; i++) t.true(up[i + 1]! >= up[i]!, `index ${i}`);
  t.true(up[0]! <= 10 && up[31]! >= 200);
});

test('centerCrop keeps the central square like the official center_crop', (t) => {
  const w = 5;
  const h = 3;
  const px = Uint8Array.from({ length: w * h }, (_, i) => i);              // value = y * 5 + x
  const { pixels, size } = centerCrop(px, w, h, 1);
  t.is(size, 3);
  t.deepEqual([...pixels], [1, 2, 3, 6, 7, 8, 11, 12, 13]);               // columns (5 - 3) // 2 = 1 .. 3
  const tall = centerCrop(Uint8Array.from({ length: 2 * 4 }, (_, i) => i), 2, 4, 1);
  t.deepEqual([...tall.pixels], [2, 3, 4, 5]);                             // rows 1 .. 2
});

test('convertChannels: RGB -> gray is PIL L (ITU-R 601-2), gray -> RGB replicates, alpha is dropped', (t) => {
  const rgb = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
  // PIL: L = R * 299/1000 + G * 587/1000 + B * 114/1000, rounded.
  t.deepEqual([...convertChannels(rgb, 4, 3, 1)], [76, 150, 29, 18]);
  t.deepEqual([...convertChannels(Uint8Array.from([9, 200]), 2, 1, 3)], [9, 9, 9, 200, 200, 200]);
  t.deepEqual([...convertChannels(Uint8Array.from([1, 2, 3, 4]), 1, 4, 3)], [1, 2, 3]);
  t.deepEqual([...convertChannels(Uint8Array.from([7, 99]), 1, 2, 1)], [7]);
});
