/**
 * Datasets by name (STYLE.md rule 5): `data.kind` picks an opener from a typed map; an unknown
 * kind lists the valid ones. `data.max_images` is applied the official way for every kind.
 */
import { ConfigError, RunError } from '../errors.ts';
import type { DataConfig, DatasetKind } from '../config/types.ts';
import { openFashionMnist } from './fashion-mnist.ts';
import { openFolder, openZip } from './files.ts';
import { openImageFolder } from './image-folder.ts';
import { openProcedural } from './procedural.ts';
import { Rng, permutation } from './rng.ts';
import type { ImageDataset } from './types.ts';

type Opener = (data: DataConfig) => ImageDataset;

function requirePath(data: DataConfig): string {
  if (!data.path) throw new ConfigError(`data.path: required for data.kind ${data.kind} (got null)`);
  return data.path;
}

export const DATASETS: Record<DatasetKind, Opener> = {
  procedural: (d) => openProcedural(d),
  folder: (d) => openImageFolder(openFolder(requirePath(d)), d),
  zip: (d) => openImageFolder(openZip(requirePath(d)), d),
  'fashion-mnist': (d) => openFashionMnist(d),
};

export function datasetKinds(): string[] {
  return Object.keys(DATASETS);
}

/** Opens the dataset the `data` section describes (async so that future kinds may stream). */
export async function openDataset(data: DataConfig): Promise<ImageDataset> {
  const open = (DATASETS as Record<string, Opener | undefined>)[data.kind];
  if (!open) throw new ConfigError(`data.kind: unknown dataset kind (got ${JSON.stringify(data.kind)}; valid: ${datasetKinds().join(', ')})`);
  if (!Number.isInteger(data.resolution) || data.resolution < 1) throw new ConfigError(`data.resolution: must be a positive integer (got ${data.resolution})`);
  if (data.channels !== 1 && data.channels !== 3) throw new ConfigError(`data.channels: must be 1 or 3 (got ${data.channels})`);
  const dataset = open(data);
  return limitDataset(dataset, data.max_images, data.seed);
}

/**
 * max_images as the official Dataset does it: when the dataset is larger, shuffle the indices
 * with the seed, keep the first max_images and sort them (a random subset in file order).
 * The shuffle is ours (Rng), not numpy's, so the subset differs from the official one.
 */
export function limitDataset(dataset: ImageDataset, maxImages: number | null, seed: number): ImageDataset {
  if (maxImages === null || maxImages >= dataset.size) return dataset;
  if (!Number.isInteger(maxImages) || maxImages < 1) throw new RunError(`data.max_images: must be a positive integer or null (got ${maxImages})`);
  const keep = permutation(dataset.size, new Rng(seed, 0x6d617869)).subarray(0, maxImages).sort();
  return {
    name: dataset.name,
    size: maxImages,
    resolution: dataset.resolution,
    channels: dataset.channels,
    labelDim: dataset.labelDim,
    read: (index) => {
      if (!Number.isInteger(index) || index < 0 || index >= maxImages) throw new RangeError(`dataset.read: index must be an integer in [0, ${maxImages}) (got ${index})`);
      return dataset.read(keep[index]!);
    },
    close: () => dataset.close(),
  };
}
