/**
 * `sg3 dataset`: converts images into the official dataset format — PNGs named
 * `00000/img00000000.png` (as dataset_tool.py names them) in a folder or a stored zip, plus
 * `dataset.json` `{"labels": [[fname, label], ...]}` when every source image has a label.
 *
 * Per image, in source order (sorted relative names; or IDX order for MNIST-style files):
 *   1. decode (PNG/JPEG), drop alpha, convert gray <-> RGB to the target channel count
 *      (default: the first image's, alpha aside)
 *   2. --transform center-crop: keep the central square; otherwise a non-square image is an error
 *   3. resize to --resolution with PIL-style Lanczos-3 (anti-aliased when shrinking)
 * Sources: a folder, a zip, or an `*-images-idx3-ubyte[.gz]` file (MNIST / Fashion-MNIST:
 * 28x28 zero-padded to 32x32 as dataset_tool does, labels = class indices).
 * The output is built under a temporary name next to --dest and renamed at the very end, so a
 * failure or an interrupt never leaves a half-written dataset behind.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { RunError } from '../errors.ts';
import { encodePng } from '../log/png.ts';
import { decodeImage } from './decode.ts';
import { readIdx, resolveIdxPaths } from './fashion-mnist.ts';
import { openFileSource } from './files.ts';
import { centerCrop, convertChannels, resizeLanczos } from './resize.ts';
import { ZipWriter } from './zip-writer.ts';

export interface ConvertOptions {
  source: string;
  dest: string;                       // a folder, or a path ending in .zip
  resolution: number;
  channels?: 1 | 3;
  maxImages?: number | null;
  transform?: 'center-crop' | null;
  onProgress?: (done: number, total: number) => void;
}

export interface ConvertResult { dest: string; images: number; channels: number; labeled: boolean }

/** One source image: its name (for errors and label lookup), its pixels on demand, its label. */
interface SourceItem { name: string; load(): { width: number; height: number; channels: number; pixels: Uint8Array }; label: unknown }

interface Sink { write(name: string, data: Uint8Array): void; commit(): void; abort(): void }

export function convertDataset(o: ConvertOptions): ConvertResult {
  if (!Number.isInteger(o.resolution) || o.resolution < 1) throw new RunError(`sg3 dataset: --resolution must be a positive integer (got ${o.resolution})`);
  if (o.channels !== undefined && o.channels !== 1 && o.channels !== 3) throw new RunError(`sg3 dataset: --channels must be 1 or 3 (got ${o.channels})`);
  const { items, close } = openSourceItems(o.source);
  const count = Math.min(items.length, o.maxImages ?? Infinity);
  if (count === 0) throw new RunError(`${o.source}: no PNG or JPEG images found`);
  let sink: Sink;
  try { sink = openSink(o.dest); } catch (e) { close(); throw e; }
  let channels = o.channels ?? 0;
  const labels: Array<[string, unknown]> = [];
  try {
    for (let i = 0; i < count; i++) {
      const item = items[i]!;
      const where = `${o.source}/${item.name}`;
      let img;
      try { img = item.load(); } catch (e) {
        throw e instanceof RunError ? e : new RunError(`${where}: cannot decode image (got ${(e as Error).message})`);
      }
      if (channels === 0) channels = img.channels >= 3 ? 3 : 1;
      let px = convertChannels(img.pixels, img.width * img.height, img.channels, channels as 1 | 3);
      let size = img.width;
      if (o.transform === 'center-crop') ({ pixels: px, size } = centerCrop(px, img.width, img.height, channels));
      else if (img.width !== img.height) throw new RunError(`${where}: image is ${img.width}x${img.height}, not square (got no --transform; use --transform center-crop)`);
      px = resizeLanczos(px, size, size, channels, o.resolution, o.resolution);
      const idx = String(i).padStart(8, '0');
      const archName = `${idx.slice(0, 5)}/img${idx}.png`;
      sink.write(archName, encodePng(px, o.resolution, o.resolution, channels));
      labels.push([archName, item.label]);
      o.onProgress?.(i + 1, count);
    }
    const labeled = labels.every(([, l]) => l !== undefined && l !== null);
    if (labeled) sink.write('dataset.json', new TextEncoder().encode(JSON.stringify({ labels })));
    sink.commit();
    return { dest: o.dest, images: count, channels, labeled };
  } catch (e) {
    sink.abort();
    throw e;
  } finally {
    close();
  }
}

function isIdxImages(path: string): boolean {
  return /-images-idx3-ubyte(\.gz)?$/.test(basename(path)) && existsSync(path) && statSync(path).isFile();
}

function openSourceItems(source: string): { items: SourceItem[]; close(): void } {
  if (isIdxImages(source)) {
    const paths = resolveIdxPaths(source);
    const images = readIdx(paths.images);
    const labels = readIdx(paths.labels);
    const [n, h, w] = images.dims as [number, number, number];
    const items = Array.from({ length: n }, (_, i): SourceItem => ({
      name: `#${i}`, label: labels.data[i],
      load: () => {
        const padded = new Uint8Array((h + 4) * (w + 4));   // zero-pad by 2, as dataset_tool's MNIST import
        for (let y = 0; y < h; y++) padded.set(images.data.subarray((i * h + y) * w, (i * h + y + 1) * w), (y + 2) * (w + 4) + 2);
        return { width: w + 4, height: h + 4, channels: 1, pixels: padded };
      },
    }));
    return { items, close: () => {} };
  }
  const files = openFileSource(source);
  let labels = new Map<string, unknown>();
  if (files.has('dataset.json')) {
    try {
      const list = JSON.parse(new TextDecoder().decode(files.read('dataset.json'))).labels;
      if (Array.isArray(list)) labels = new Map(list.map((pair: [string, unknown]) => [pair[0], pair[1]]));
    } catch (e) {
      files.close();
      throw new RunError(`${source}/dataset.json: not valid JSON with a "labels" key (got ${(e as Error).message})`);
    }
  }
  const names = files.names().filter((n) => ['.png', '.jpg', '.jpeg'].includes(extname(n).toLowerCase())).sort();
  const items = names.map((name): SourceItem => ({
    name, label: labels.get(name),
    load: () => { const d = decodeImage(files.read(name)); return { width: d.width, height: d.height, channels: d.channels, pixels: d.pixels }; },
  }));
  return { items, close: () => files.close() };
}

/** Writes under `<dest>.tmp-<pid>` and renames onto `dest` in commit(). */
function openSink(dest: string): Sink {
  const tmp = join(dirname(dest), `.${basename(dest)}.tmp-${process.pid}`);
  mkdirSync(dirname(dest), { recursive: true });
  if (dest.toLowerCase().endsWith('.zip')) {
    if (existsSync(dest)) throw new RunError(`sg3 dataset: --dest ${dest} already exists (remove it first)`);
    const zip = new ZipWriter(tmp);
    return {
      write: (name, data) => zip.add(name, data),
      commit: () => { zip.finish(); renameSync(tmp, dest); },
      abort: () => zip.abort(),
    };
  }
  if (existsSync(dest) && (!statSync(dest).isDirectory() || readdirSync(dest).length > 0)) {
    throw new RunError(`sg3 dataset: --dest ${dest} must be an empty or new folder (got an existing ${statSync(dest).isDirectory() ? 'non-empty folder' : 'file'})`);
  }
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  return {
    write: (name, data) => {
      const path = join(tmp, ...name.split('/'));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, data);
    },
    commit: () => { if (existsSync(dest)) rmdirSync(dest); renameSync(tmp, dest); },
    abort: () => rmSync(tmp, { recursive: true, force: true }),
  };
}
