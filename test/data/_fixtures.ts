// Test fixtures for datasets, made with the libraries directly (pngjs, jpeg-js) and with
// Python's zipfile, so that our readers are checked against independent writers.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import type { ExecutionContext } from 'ava';
import { testTempDir } from '../_tmp.ts';

/** A fresh temporary directory, removed when test `t` ends. */
export const tmp = (t: ExecutionContext, prefix = 'sg3-data-') => testTempDir(t, prefix);

/** Pixel value of image `seed` at (x, y, c): distinct across images, positions and channels. */
export const pixel = (seed: number, x: number, y: number, c: number) => (seed * 31 + x * 7 + y * 13 + c * 71) % 256;

/** HWC pixels of a w x h image with `channels` channels. */
export function pixels(seed: number, w: number, h: number, channels: number): Uint8Array {
  const px = new Uint8Array(w * h * channels);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < channels; c++) px[(y * w + x) * channels + c] = pixel(seed, x, y, c);
  return px;
}

const COLOR_TYPE = { 1: 0, 2: 4, 3: 2, 4: 6 } as const;

export function makePng(seed: number, w: number, h: number, channels: 1 | 2 | 3 | 4, bitDepth: 8 | 16 = 8): Uint8Array {
  const colorType = COLOR_TYPE[channels];
  const hasAlpha = channels === 2 || channels === 4;
  const png = new PNG({ width: w, height: h, colorType, inputColorType: colorType, inputHasAlpha: hasAlpha, bitDepth });
  const px = pixels(seed, w, h, channels);
  png.data = bitDepth === 8 ? Buffer.from(px) : Buffer.from(Uint16Array.from(px, (v) => v * 257).buffer);
  return new Uint8Array(PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: hasAlpha, bitDepth }));
}

/** A smooth RGB JPEG (quality 95) and the RGB pixels it was made from. */
export function makeJpeg(w: number, h: number): { bytes: Uint8Array; rgb: Uint8Array } {
  const rgba = new Uint8Array(w * h * 4);
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const v = [40 + 4 * x, 60 + 3 * y, 120 + 2 * (x + y) % 100];
    for (let c = 0; c < 3; c++) { rgba[(y * w + x) * 4 + c] = v[c]!; rgb[(y * w + x) * 3 + c] = v[c]!; }
    rgba[(y * w + x) * 4 + 3] = 255;
  }
  return { bytes: new Uint8Array(jpeg.encode({ width: w, height: h, data: rgba }, 95).data), rgb };
}

/** Writes files (relative name -> bytes) under dir. */
export function writeTree(dir: string, files: Record<string, Uint8Array | string>): string {
  for (const [name, data] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
  }
  return dir;
}

/** A zip written by Python's zipfile (stored or deflated), members in the given order. */
export function pythonZip(path: string, files: Record<string, Uint8Array | string>, method: 'stored' | 'deflated'): string {
  // The member files are staged in a directory of their own, gone once the zip is written.
  const src = writeTree(mkdtempSync(join(tmpdir(), 'sg3-data-src-')), files);
  const script = `import sys, zipfile, os
dest, src, method = sys.argv[1], sys.argv[2], sys.argv[3]
comp = zipfile.ZIP_STORED if method == 'stored' else zipfile.ZIP_DEFLATED
with zipfile.ZipFile(dest, 'w', compression=comp) as z:
    for name in sys.argv[4:]:
        z.write(os.path.join(src, name), name)`;
  try {
    execFileSync('python3', ['-c', script, path, src, method, ...Object.keys(files)]);
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
  return path;
}

/** What Python's zipfile sees in an archive: testzip() result, names, compress types, sizes. */
export function pythonListZip(path: string): { bad: string | null; names: string[]; methods: number[]; sizes: number[] } {
  const script = `import sys, zipfile, json
with zipfile.ZipFile(sys.argv[1]) as z:
    infos = z.infolist()
    print(json.dumps({"bad": z.testzip(), "names": [i.filename for i in infos], "methods": [i.compress_type for i in infos], "sizes": [i.file_size for i in infos]}))`;
  return JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf8', maxBuffer: 64 << 20 }));
}
