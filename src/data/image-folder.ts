/**
 * The official dataset format (training/dataset.py ImageFolderDataset): a folder or zip of
 * PNG/JPEG images, sorted by relative name, with an optional `dataset.json`
 * `{"labels": [[fname, label], ...]}` at its root. Integer labels become one-hot vectors of
 * size max + 1; lists of numbers are used as float vectors.
 * Every image must be square, 8-bit, of the configured resolution and channel count; anything
 * else is a one-line RunError naming the file and the `sg3 dataset` command that fixes it.
 */
import { basename, extname } from 'node:path';
import { RunError } from '../errors.ts';
import { decodeImage, hwcToChw } from './decode.ts';
import type { FileSource } from './files.ts';
import { checkIndex, type DatasetItem, type ImageDataset } from './types.ts';

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg']);
// Images PIL would also pick up; silently skipping them would change the dataset's size.
const UNSUPPORTED_EXT = new Set(['.bmp', '.gif', '.webp', '.tif', '.tiff', '.ppm', '.pgm', '.tga']);

export interface ImageFolderOptions { resolution: number; channels: number }

export function openImageFolder(source: FileSource, options: ImageFolderOptions): ImageDataset {
  const { resolution, channels } = options;
  const fixHint = `convert it with: sg3 dataset --source ${source.path} --dest <new.zip> --resolution ${resolution} --channels ${channels}`;
  const all = source.names();
  const bad = all.find((n) => UNSUPPORTED_EXT.has(extname(n).toLowerCase()));
  if (bad) throw new RunError(`${source.path}/${bad}: only PNG and JPEG images are supported (got ${extname(bad)}); ${fixHint}`);
  const names = all.filter((n) => IMAGE_EXT.has(extname(n).toLowerCase())).sort();
  if (names.length === 0) throw new RunError(`${source.path}: no PNG or JPEG images found (got ${all.length} other files)`);
  const labels = readLabels(source, names);

  const loadImage = (name: string): Uint8Array => {
    const where = `${source.path}/${name}`;
    let img;
    try { img = decodeImage(source.read(name)); } catch (e) {
      if (e instanceof RunError) throw e;
      throw new RunError(`${where}: cannot decode image (got ${(e as Error).message})`);
    }
    if (img.bitDepth !== 8) throw new RunError(`${where}: image is ${img.bitDepth}-bit, expected 8-bit; ${fixHint}`);
    if (img.width !== resolution || img.height !== resolution || img.channels !== channels) {
      throw new RunError(`${where}: image is ${img.width}x${img.height} with ${img.channels} channel(s), expected ${resolution}x${resolution} with ${channels} (data.resolution, data.channels); ${fixHint}`);
    }
    return hwcToChw(img.pixels, img.height, img.width, img.channels);
  };
  loadImage(names[0]!);   // fail at open, as the official loader does with its first image

  return {
    name: basename(source.path, extname(source.path)),
    size: names.length,
    resolution,
    channels,
    labelDim: labels.dim,
    read(index: number): DatasetItem {
      checkIndex('dataset.read', index, names.length);
      return { image: loadImage(names[index]!), label: labels.get(index) };
    },
    close: () => source.close(),
  };
}

interface Labels { dim: number; get(index: number): Float32Array }

function readLabels(source: FileSource, names: string[]): Labels {
  const none: Labels = { dim: 0, get: () => new Float32Array(0) };
  if (!source.has('dataset.json')) return none;
  const where = `${source.path}/dataset.json`;
  let list: unknown;
  try {
    list = JSON.parse(new TextDecoder().decode(source.read('dataset.json'))).labels;
  } catch (e) {
    throw new RunError(`${where}: not valid JSON with a "labels" key (got ${(e as Error).message})`);
  }
  if (list === null || list === undefined) return none;
  if (!Array.isArray(list)) throw new RunError(`${where}: "labels" must be a list of [fname, label] pairs or null (got ${typeof list})`);
  const byName = new Map<string, unknown>();
  for (const pair of list) {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string') {
      throw new RunError(`${where}: each label must be a [fname, label] pair (got ${JSON.stringify(pair)})`);
    }
    byName.set(pair[0], pair[1]);
  }
  const raw = names.map((n) => {
    if (!byName.has(n)) throw new RunError(`${where}: no label for ${n}`);
    return byName.get(n);
  });
  if (raw.every((v) => Number.isInteger(v) && (v as number) >= 0)) {
    const classes = raw as number[];
    const dim = classes.reduce((m, c) => Math.max(m, c), 0) + 1;   // no spread: datasets can be huge
    return { dim, get: (i) => { const v = new Float32Array(dim); v[classes[i]!] = 1; return v; } };
  }
  const first = raw[0];
  const dim = Array.isArray(first) ? first.length : -1;
  raw.forEach((v, i) => {
    if (!Array.isArray(v) || v.length !== dim || !v.every((x) => typeof x === 'number')) {
      throw new RunError(`${where}: labels must all be class indices >= 0 or all number lists of one length (got ${JSON.stringify(v)} for ${names[i]})`);
    }
  });
  const vectors = raw as number[][];
  return { dim, get: (i) => Float32Array.from(vectors[i]!) };
}
