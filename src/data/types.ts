/**
 * What every dataset gives the loader and the metrics: images as the official
 * `training/dataset.py` returns them — uint8, CHW (NCHW once batched), values 0..255 — and a
 * float32 label vector (one-hot for integer class labels, empty when unlabelled).
 */

export interface DatasetItem {
  image: Uint8Array;      // [C, H, W], uint8, channel-major like the official dataset
  label: Float32Array;    // [labelDim]
}

export interface ImageDataset {
  readonly name: string;
  readonly size: number;           // number of items (after max_images; x-flips are the loader's)
  readonly resolution: number;     // H = W
  readonly channels: number;       // C: 1 or 3
  readonly labelDim: number;       // 0 = unlabelled
  /** Item i in [0, size). Synchronous: file reads and decoding happen here. */
  read(index: number): DatasetItem;
  close(): void;
}

/** Checks an index the way a typed array cannot (it would silently return undefined). */
export function checkIndex(where: string, index: number, size: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`${where}: index must be an integer in [0, ${size}) (got ${index})`);
  }
}
