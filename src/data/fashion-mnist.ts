/**
 * Fashion-MNIST (or MNIST) from its IDX files, gzipped or raw. Default location: Debian's
 * dataset-fashion-mnist package, /usr/share/datasets/fashion-mnist; `data.path` may name that
 * folder (the train split is used) or an `*-images-idx3-ubyte[.gz]` file (its labels file is
 * found by name, as the official dataset_tool does).
 *
 * Images: 28x28 gray, zero-padded by 2 on each side to 32x32 exactly like dataset_tool's MNIST
 * import, then Lanczos-resampled to data.resolution when that is not 32 (downscaling
 * anti-aliases). channels = 3 replicates the gray plane. Labels: one-hot over 10 classes
 * (labelDim 10); unconditional training simply ignores them.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { RunError } from '../errors.ts';
import { resizeLanczos } from './resize.ts';
import { checkIndex, type ImageDataset } from './types.ts';

export const DEFAULT_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
const CLASSES = 10;
const PAD = 2;
const PADDED = 28 + 2 * PAD;

interface Idx { dims: number[]; data: Uint8Array }

/** IDX: 0x00 0x00, type 0x08 (ubyte), number of dims, dims as big-endian u32, then the data. */
export function readIdx(path: string): Idx {
  let bytes: Uint8Array = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 0x08) {
    throw new RunError(`${path}: not an unsigned-byte IDX file (got header ${[...bytes.subarray(0, 4)].join(',')})`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: bytes[3]! }, (_, i) => view.getUint32(4 + 4 * i));
  const offset = 4 + 4 * dims.length;
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - offset !== count) throw new RunError(`${path}: IDX dims [${dims.join(', ')}] need ${count} bytes (got ${bytes.length - offset})`);
  return { dims, data: bytes.subarray(offset) };
}

function findFile(dir: string, stem: string): string {
  for (const name of [`${stem}.gz`, stem]) if (existsSync(join(dir, name))) return join(dir, name);
  throw new RunError(`${dir}: no ${stem}[.gz] (data.path must be the Fashion-MNIST folder or its images IDX file)`);
}

export function resolveIdxPaths(path: string | null): { images: string; labels: string } {
  const p = path ?? DEFAULT_FASHION_MNIST_DIR;
  if (!existsSync(p)) throw new RunError(`${p}: Fashion-MNIST not found (on Debian: apt-get install dataset-fashion-mnist, or set data.path)`);
  if (statSync(p).isDirectory()) return { images: findFile(p, 'train-images-idx3-ubyte'), labels: findFile(p, 'train-labels-idx1-ubyte') };
  const labels = p.replace('-images-idx3-ubyte', '-labels-idx1-ubyte');
  if (labels === p || !existsSync(labels)) throw new RunError(`${p}: cannot find its labels file (expected ${basename(labels)} next to it)`);
  return { images: p, labels };
}

export function openFashionMnist(options: { path: string | null; resolution: number; channels: number }): ImageDataset {
  const { resolution, channels } = options;
  const paths = resolveIdxPaths(options.path);
  const images = readIdx(paths.images);
  const labels = readIdx(paths.labels);
  const [n, h, w] = images.dims;
  if (images.dims.length !== 3 || h !== 28 || w !== 28) throw new RunError(`${paths.images}: expected [N, 28, 28] images (got [${images.dims.join(', ')}])`);
  if (labels.dims.length !== 1 || labels.dims[0] !== n) throw new RunError(`${paths.labels}: expected ${n} labels (got [${labels.dims.join(', ')}])`);
  for (let i = 0; i < n!; i++) {
    if (labels.data[i]! >= CLASSES) throw new RunError(`${paths.labels}: label ${i} is ${labels.data[i]}, expected 0..${CLASSES - 1}`);
  }
  const plane = resolution * resolution;
  return {
    name: 'fashion-mnist',
    size: n!,
    resolution,
    channels,
    labelDim: CLASSES,
    read(index) {
      checkIndex('fashion-mnist.read', index, n!);
      const padded = new Uint8Array(PADDED * PADDED);
      for (let y = 0; y < 28; y++) padded.set(images.data.subarray((index * 28 + y) * 28, (index * 28 + y + 1) * 28), (y + PAD) * PADDED + PAD);
      const gray = resizeLanczos(padded, PADDED, PADDED, 1, resolution, resolution);
      const image = new Uint8Array(plane * channels);
      for (let c = 0; c < channels; c++) image.set(gray, c * plane);
      const label = new Float32Array(CLASSES);
      label[labels.data[index]!] = 1;
      return { image, label };
    },
    close: () => {},
  };
}
