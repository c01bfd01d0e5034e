import test from 'ava';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEFAULT_FASHION_MNIST_DIR, openFashionMnist, readIdx } from '../../src/data/fashion-mnist.ts';
import { openDataset } from '../../src/data/registry.ts';
import { tmp } from './_fixtures.ts';

const TRAIN = join(DEFAULT_FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz');

function requireFiles(): void {
  if (!existsSync(TRAIN)) throw new Error(`${TRAIN} is missing: these tests need Debian's dataset-fashion-mnist package`);
}

/** A tiny IDX pair: n images of 28x28 (pixel = (i + y + x) % 256) and labels i % 10. */
function writeIdx(dir: string, n: number, gz: boolean): void {
  const img = Buffer.alloc(16 + n * 784);
  img.writeUInt32BE(0x803, 0); img.writeUInt32BE(n, 4); img.writeUInt32BE(28, 8); img.writeUInt32BE(28, 12);
  for (let i = 0; i < n; i++) for (let p = 0; p < 784; p++) img[16 + i * 784 + p] = (i + Math.floor(p / 28) + (p % 28)) % 256;
  const lab = Buffer.alloc(8 + n);
  lab.writeUInt32BE(0x801, 0); lab.writeUInt32BE(n, 4);
  for (let i = 0; i < n; i++) lab[8 + i] = i % 10;
  const ext = gz ? '.gz' : '';
  writeFileSync(join(dir, `train-images-idx3-ubyte${ext}`), gz ? gzipSync(img) : img);
  writeFileSync(join(dir, `train-labels-idx1-ubyte${ext}`), gz ? gzipSync(lab) : lab);
}

test('the installed Fashion-MNIST: 60000 images, 28x28 padded to 32x32, values 0..255, one-hot labels', async (t) => {
  requireFiles();
  const ds = await openDataset({ kind: 'fashion-mnist', path: null, resolution: 32, channels: 1, mirror: false, max_images: null, num_images: 0, seed: 0, prefetch: 0 });
  t.is(ds.size, 60000);
  t.is(ds.labelDim, 10);
  const raw = readIdx(TRAIN);
  t.deepEqual(raw.dims, [60000, 28, 28]);
  let max = 0;
  for (const i of [0, 1, 2, 777, 59999]) {
    const { image, label } = ds.read(i);
    t.is(image.length, 32 * 32);
    // Interior = the raw 28x28 bytes exactly; the 2-pixel border is zero.
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) {
      const inside = y >= 2 && y < 30 && x >= 2 && x < 30;
      const want = inside ? raw.data[i * 784 + (y - 2) * 28 + (x - 2)] : 0;
      if (image[y * 32 + x] !== want) return t.fail(`image ${i} (${x}, ${y}): ${image[y * 32 + x]} != ${want}`);
    }
    max = Math.max(max, ...image);
    t.is(label.reduce((a, b) => a + b, 0), 1);
  }
  t.is(max, 255);
  t.is(ds.read(0).label.indexOf(1), 9);   // the first training image is an ankle boot
});

test('resolution 16 and 64, channels 3: shapes, range, replicated gray', (t) => {
  requireFiles();
  for (const resolution of [16, 64]) {
    const ds = openFashionMnist({ path: DEFAULT_FASHION_MNIST_DIR, resolution, channels: 3 });
    const { image } = ds.read(5);
    const plane = resolution * resolution;
    t.is(image.length, 3 * plane);
    t.deepEqual(image.subarray(0, plane), image.subarray(plane, 2 * plane));
    t.deepEqual(image.subarray(0, plane), image.subarray(2 * plane));
    t.true(Math.max(...image) > 150 && Math.min(...image) === 0, `resolution ${resolution}`);
  }
});

for (const gz of [false, true]) {
  test(`IDX files ${gz ? 'gzipped' : 'raw'}: folder or images-file path, labels found by name`, (t) => {
    const dir = tmp(t);
    writeIdx(dir, 12, gz);
    for (const path of [dir, join(dir, `train-images-idx3-ubyte${gz ? '.gz' : ''}`)]) {
      const ds = openFashionMnist({ path, resolution: 32, channels: 1 });
      t.is(ds.size, 12);
      const { image, label } = ds.read(11);
      t.is(image[2 * 32 + 2], 11 % 256);            // raw (0, 0) of image 11
      t.is(image[(2 + 5) * 32 + 2 + 3], 11 + 5 + 3);
      t.is(label.indexOf(1), 1);
    }
  });
}

test('Fashion-MNIST errors: missing folder, bad header', (t) => {
  t.throws(() => openFashionMnist({ path: '/nonexistent/fm', resolution: 32, channels: 1 }), {
    message: '/nonexistent/fm: Fashion-MNIST not found (on Debian: apt-get install dataset-fashion-mnist, or set data.path)',
  });
  const dir = tmp(t);
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), 'garbage!');
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), 'garbage!');
  t.throws(() => openFashionMnist({ path: dir, resolution: 32, channels: 1 }), { message: /not an unsigned-byte IDX file/ });
});
