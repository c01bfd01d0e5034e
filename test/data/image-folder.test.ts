import test, { type ExecutionContext } from 'ava';
import { join } from 'node:path';
import { openDataset } from '../../src/data/registry.ts';
import type { DataConfig } from '../../src/config/types.ts';
import { makeJpeg, makePng, pixel, pythonZip, tmp, writeTree } from './_fixtures.ts';

const R = 8;

function config(kind: DataConfig['kind'], path: string | null, extra: Partial<DataConfig> = {}): DataConfig {
  return { kind, path, resolution: R, channels: 3, mirror: false, max_images: null, num_images: 100, seed: 0, prefetch: 2, ...extra };
}

/** Three RGB images (deliberately listed out of order) and integer labels, as dataset_tool writes them. */
function rgbFiles(): Record<string, Uint8Array | string> {
  return {
    '00000/img00000002.png': makePng(2, R, R, 3),
    '00000/img00000000.png': makePng(0, R, R, 3),
    '00000/img00000001.png': makePng(1, R, R, 3),
    'dataset.json': JSON.stringify({ labels: [['00000/img00000000.png', 4], ['00000/img00000001.png', 0], ['00000/img00000002.png', 2]] }),
  };
}

/** Checks item i is image seed i in CHW layout (official `transpose(2, 0, 1)`). */
function isImage(image: Uint8Array, seed: number, channels: number): boolean {
  for (let c = 0; c < channels; c++) for (let y = 0; y < R; y++) for (let x = 0; x < R; x++) {
    if (image[(c * R + y) * R + x] !== pixel(seed, x, y, c)) return false;
  }
  return image.length === channels * R * R;
}

const sources = {
  folder: (t: ExecutionContext) => writeTree(tmp(t), rgbFiles()),
  'zip stored': (t: ExecutionContext) => pythonZip(join(tmp(t), 'ds.zip'), rgbFiles(), 'stored'),
  'zip deflated': (t: ExecutionContext) => pythonZip(join(tmp(t), 'ds.zip'), rgbFiles(), 'deflated'),
};

for (const [label, make] of Object.entries(sources)) {
  test(`kind=${label}: sorted names, CHW uint8 images, one-hot labels of size max+1`, async (t) => {
    const path = make(t);
    const ds = await openDataset(config(label === 'folder' ? 'folder' : 'zip', path));
    t.is(ds.size, 3);
    t.is(ds.resolution, R);
    t.is(ds.channels, 3);
    t.is(ds.labelDim, 5);
    for (let i = 0; i < 3; i++) t.true(isImage(ds.read(i).image, i, 3), `item ${i}`);
    t.deepEqual([...ds.read(0).label], [0, 0, 0, 0, 1]);
    t.deepEqual([...ds.read(1).label], [1, 0, 0, 0, 0]);
    t.deepEqual([...ds.read(2).label], [0, 0, 1, 0, 0]);
    t.throws(() => ds.read(3), { instanceOf: RangeError });
    ds.close();
  });
}

test('grayscale PNGs with float-vector labels; no dataset.json means labelDim 0', async (t) => {
  const dir = writeTree(tmp(t), {
    'a.png': makePng(5, R, R, 1), 'b.png': makePng(6, R, R, 1),
    'dataset.json': JSON.stringify({ labels: [['a.png', [0.5, -1]], ['b.png', [2, 3]]] }),
  });
  const ds = await openDataset(config('folder', dir, { channels: 1 }));
  t.is(ds.labelDim, 2);
  t.true(isImage(ds.read(1).image, 6, 1));
  t.deepEqual([...ds.read(0).label], [0.5, -1]);
  const plain = await openDataset(config('folder', writeTree(tmp(t), { 'x.png': makePng(1, R, R, 1) }), { channels: 1 }));
  t.is(plain.labelDim, 0);
  t.is(plain.read(0).label.length, 0);
});

test('a JPEG image decodes close to its source pixels', async (t) => {
  const { bytes, rgb } = makeJpeg(16, 16);
  const ds = await openDataset(config('folder', writeTree(tmp(t), { 'photo.jpg': bytes }), { resolution: 16 }));
  const img = ds.read(0).image;
  let err = 0;
  for (let c = 0; c < 3; c++) for (let p = 0; p < 256; p++) err += Math.abs(img[c * 256 + p]! - rgb[p * 3 + c]!);
  t.true(err / (3 * 256) < 3, `mean abs error ${err / 768}`);
});

const hint = (path: string) => `convert it with: sg3 dataset --source ${path} --dest <new.zip> --resolution ${R} --channels 3`;

test('wrong resolution: one-line error naming the file (folder)', async (t) => {
  const dir = writeTree(tmp(t), { 'a.png': makePng(0, R, R, 3), 'b.png': makePng(1, 2 * R, 2 * R, 3) });
  const ds = await openDataset(config('folder', dir));
  t.throws(() => ds.read(1), {
    message: `${dir}/b.png: image is 16x16 with 3 channel(s), expected 8x8 with 3 (data.resolution, data.channels); ${hint(dir)}`,
  });
});

test('wrong channel count: error at open names the file inside the zip', async (t) => {
  const path = pythonZip(join(tmp(t), 'gray.zip'), { 'sub/a.png': makePng(0, R, R, 1) }, 'deflated');
  await t.throwsAsync(openDataset(config('zip', path)), {
    message: `${path}/sub/a.png: image is 8x8 with 1 channel(s), expected 8x8 with 3 (data.resolution, data.channels); ${hint(path)}`,
  });
});

test('RGBA, non-square and 16-bit images are rejected with the file named', async (t) => {
  for (const [name, bytes, what] of [
    ['rgba.png', makePng(0, R, R, 4), 'image is 8x8 with 4 channel(s)'],
    ['wide.png', makePng(0, R + 2, R, 3), 'image is 10x8 with 3 channel(s)'],
    ['deep.png', makePng(0, R, R, 3, 16), 'image is 16-bit, expected 8-bit'],
  ] as const) {
    const dir = writeTree(tmp(t), { [name]: bytes });
    const err = await t.throwsAsync(openDataset(config('folder', dir)));
    t.true(err!.message.startsWith(`${dir}/${name}: ${what}`), err!.message);
    t.false(err!.message.includes('\n'));
  }
});

test('bad labels, unsupported formats, undecodable files', async (t) => {
  const missing = writeTree(tmp(t), { 'a.png': makePng(0, R, R, 3), 'b.png': makePng(1, R, R, 3), 'dataset.json': '{"labels": [["a.png", 1]]}' });
  await t.throwsAsync(openDataset(config('folder', missing)), { message: `${missing}/dataset.json: no label for b.png` });
  const bmp = writeTree(tmp(t), { 'a.png': makePng(0, R, R, 3), 'c.bmp': 'BM' });
  await t.throwsAsync(openDataset(config('folder', bmp)), { message: new RegExp(`^${bmp}/c\\.bmp: only PNG and JPEG images are supported \\(got \\.bmp\\)`) });
  const junk = writeTree(tmp(t), { 'a.png': 'not an image' });
  await t.throwsAsync(openDataset(config('folder', junk)), { message: `${junk}/a.png: cannot decode image (got not a PNG or JPEG file)` });
  const empty = writeTree(tmp(t), { 'readme.txt': 'x' });
  await t.throwsAsync(openDataset(config('folder', empty)), { message: `${empty}: no PNG or JPEG images found (got 1 other files)` });
});

test('registry: unknown kind lists the valid ones; folder/zip need a path', async (t) => {
  await t.throwsAsync(openDataset(config('lsun' as DataConfig['kind'], null)), {
    message: 'data.kind: unknown dataset kind (got "lsun"; valid: procedural, folder, zip, fashion-mnist)',
  });
  await t.throwsAsync(openDataset(config('zip', null)), { message: 'data.path: required for data.kind zip (got null)' });
  await t.throwsAsync(openDataset(config('folder', '/nonexistent/x')), { message: '/nonexistent/x: no such folder' });
});

test('max_images keeps a seeded random subset in file order', async (t) => {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < 10; i++) files[`img${i}.png`] = makePng(i, R, R, 1);
  const dir = writeTree(tmp(t), files);
  const seeds = (ds: { size: number; read(i: number): { image: Uint8Array } }) =>
    Array.from({ length: ds.size }, (_, i) => [...Array(10).keys()].find((s) => isImage(ds.read(i).image, s, 1)));
  const a = seeds(await openDataset(config('folder', dir, { channels: 1, max_images: 4, seed: 1 })));
  const b = seeds(await openDataset(config('folder', dir, { channels: 1, max_images: 4, seed: 1 })));
  const c = seeds(await openDataset(config('folder', dir, { channels: 1, max_images: 4, seed: 2 })));
  t.is(a.length, 4);
  t.deepEqual(a, b);
  t.deepEqual(a, [...a].sort((x, y) => x! - y!));
  t.is(new Set(a).size, 4);
  t.notDeepEqual(a, c);
  t.is((await openDataset(config('folder', dir, { channels: 1, max_images: 50 }))).size, 10);
});
