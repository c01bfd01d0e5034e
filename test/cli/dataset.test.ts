import test, { type ExecutionContext } from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerDataset } from '../../src/cli/dataset.ts';
import { convertDataset } from '../../src/data/convert.ts';
import { openDataset } from '../../src/data/registry.ts';
import { openFashionMnist, DEFAULT_FASHION_MNIST_DIR } from '../../src/data/fashion-mnist.ts';
import { ZipReader } from '../../src/data/zip.ts';
import type { DataConfig } from '../../src/config/types.ts';
import { makeJpeg, makePng, pythonListZip, pythonZip, tmp, writeTree } from '../data/_fixtures.ts';

/** Runs `sg3 dataset ...` on a fresh program with only this verb (other verbs may be in flux). */
async function sg3Dataset(args: string[]): Promise<void> {
  const program = new Command('sg3').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerDataset(program);
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try { await program.parseAsync(['dataset', ...args], { from: 'user' }); } finally { process.stdout.write = write; }
}

const data = (kind: DataConfig['kind'], path: string, resolution: number, channels: number): DataConfig =>
  ({ kind, path, resolution, channels, mirror: false, max_images: null, num_images: 0, seed: 0, prefetch: 0 });

/** A messy source: non-square RGB PNGs, an RGBA PNG, a JPEG, labels for all of them. */
function messySource(t: ExecutionContext): string {
  return writeTree(tmp(t), {
    'cats/b.png': makePng(1, 40, 30, 3),
    'cats/a.png': makePng(0, 30, 40, 4),
    'dogs/c.jpg': makeJpeg(48, 32).bytes,
    'dataset.json': JSON.stringify({ labels: [['cats/a.png', 0], ['cats/b.png', 0], ['dogs/c.jpg', 1]] }),
  });
}

test('round trip: center-crop + resize into a stored zip, then open it as kind=zip at that resolution', async (t) => {
  const dest = join(tmp(t), 'out', 'ds.zip');
  await sg3Dataset(['--source', messySource(t), '--dest', dest, '--resolution', '16', '--transform', 'center-crop']);
  const py = pythonListZip(dest);
  t.is(py.bad, null);
  t.deepEqual(py.names, ['00000/img00000000.png', '00000/img00000001.png', '00000/img00000002.png', 'dataset.json']);
  t.true(py.methods.every((m) => m === 0));                 // stored, like the official dataset_tool
  const zip = new ZipReader(dest);
  t.deepEqual(JSON.parse(new TextDecoder().decode(zip.read('dataset.json'))).labels,
    [['00000/img00000000.png', 0], ['00000/img00000001.png', 0], ['00000/img00000002.png', 1]]);
  zip.close();
  const ds = await openDataset(data('zip', dest, 16, 3));
  t.is(ds.size, 3);
  t.is(ds.labelDim, 2);
  t.deepEqual([...ds.read(2).label], [0, 1]);
  t.is(ds.read(0).image.length, 3 * 16 * 16);
  t.deepEqual(readdirSync(join(dest, '..')), ['ds.zip']);   // no temporary left behind
});

test('folder output, --channels 1 and --max-images; opens as kind=folder', async (t) => {
  const dest = join(tmp(t), 'gray');
  await sg3Dataset(['--source', messySource(t), '--dest', dest, '--resolution', '8', '--channels', '1', '--max-images', '2', '--transform', 'center-crop']);
  t.deepEqual(readdirSync(join(dest, '00000')), ['img00000000.png', 'img00000001.png']);
  const ds = await openDataset(data('folder', dest, 8, 1));
  t.is(ds.size, 2);
  t.is(ds.channels, 1);
  t.is(ds.labelDim, 1);                                        // both kept images are class 0
});

test('unlabelled source: no dataset.json; same input gives a byte-identical zip', (t) => {
  const src = writeTree(tmp(t), { 'x.png': makePng(3, 8, 8, 1), 'y.png': makePng(4, 8, 8, 1) });
  const a = join(tmp(t), 'a.zip');
  const b = join(tmp(t), 'b.zip');
  t.like(convertDataset({ source: src, dest: a, resolution: 8 }), { images: 2, channels: 1, labeled: false });
  convertDataset({ source: src, dest: b, resolution: 8 });
  t.deepEqual(readFileSync(a), readFileSync(b));
  t.deepEqual(pythonListZip(a).names, ['00000/img00000000.png', '00000/img00000001.png']);
});

test('a zip source (deflated, from Python) converts too', async (t) => {
  const src = pythonZip(join(tmp(t), 'src.zip'), { 'p/q.png': makePng(5, 12, 12, 3) }, 'deflated');
  const dest = join(tmp(t), 'o.zip');
  convertDataset({ source: src, dest, resolution: 4 });
  t.is((await openDataset(data('zip', dest, 4, 3))).size, 1);
});

test('Fashion-MNIST IDX source matches kind=fashion-mnist exactly at 32x32', async (t) => {
  const images = join(DEFAULT_FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz');
  if (!existsSync(images)) throw new Error(`${images} is missing: install Debian's dataset-fashion-mnist`);
  const dest = join(tmp(t), 'fm.zip');
  t.like(convertDataset({ source: images, dest, resolution: 32, maxImages: 20 }), { images: 20, channels: 1, labeled: true });
  const converted = await openDataset(data('zip', dest, 32, 1));
  const direct = openFashionMnist({ path: images, resolution: 32, channels: 1 });
  t.is(converted.labelDim, 10);
  for (const i of [0, 7, 19]) {
    t.deepEqual(converted.read(i).image, direct.read(i).image);
    t.deepEqual(converted.read(i).label, direct.read(i).label);
  }
});

test('failures leave nothing behind and name the file', async (t) => {
  const src = writeTree(tmp(t), { 'a.png': makePng(0, 8, 8, 3), 'b.png': makePng(1, 10, 8, 3) });
  const out = tmp(t);
  await t.throwsAsync(sg3Dataset(['--source', src, '--dest', join(out, 'x.zip'), '--resolution', '8']), {
    message: `${src}/b.png: image is 10x8, not square (got no --transform; use --transform center-crop)`,
  });
  await t.throwsAsync(sg3Dataset(['--source', src, '--dest', join(out, 'folder'), '--resolution', '8']), { message: /not square/ });
  t.deepEqual(readdirSync(out), []);
  const existing = writeTree(tmp(t), { 'keep.txt': 'x' });
  await t.throwsAsync(sg3Dataset(['--source', src, '--dest', existing, '--resolution', '8', '--transform', 'center-crop']), {
    message: `sg3 dataset: --dest ${existing} must be an empty or new folder (got an existing non-empty folder)`,
  });
});

test('bad flags are usage errors', async (t) => {
  const src = writeTree(tmp(t), { 'a.png': makePng(0, 8, 8, 3) });
  const dest = join(tmp(t), 'x.zip');
  await t.throwsAsync(sg3Dataset(['--source', src, '--dest', dest, '--resolution', '0']), { name: 'UsageError', message: 'sg3 dataset: --resolution must be a positive integer (got 0)' });
  await t.throwsAsync(sg3Dataset(['--source', src, '--dest', dest, '--resolution', '8', '--channels', '2']), { name: 'UsageError', message: 'sg3 dataset: --channels must be 1 or 3 (got 2)' });
  await t.throwsAsync(sg3Dataset(['--source', src, '--dest', dest, '--resolution', '8', '--transform', 'stretch']), { name: 'UsageError', message: 'sg3 dataset: --transform must be center-crop (got stretch)' });
  await t.throwsAsync(sg3Dataset(['--dest', dest, '--resolution', '8']), { message: /required option '--source <path>' not specified/ });
  t.false(existsSync(dest));
});
