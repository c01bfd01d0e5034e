/**
 * Batches for training: a seeded, shuffled, infinite stream of (images NCHW uint8, labels) with a
 * bounded prefetch queue and a small serialisable state, so that a resumed run continues with
 * exactly the batches it would have seen.
 *
 * Order: epoch e visits every item once in the order of a Fisher-Yates permutation drawn from
 * Rng(seed, e); batches run across epoch boundaries. (The official InfiniteSampler instead
 * shuffles once and then swaps within a sliding window; its state is the whole index array.
 * Per-epoch permutations give the same uniform coverage with a state of two integers.)
 * With `mirror`, the item space is doubled as the official --mirror does: items size..2*size-1
 * are items 0..size-1 flipped along x.
 * Prefetch: besides the batch being asked for, at most `prefetch` batches are read ahead (0 =
 * read on demand), so a dataset far larger than memory streams through a fixed budget. Reading
 * ahead happens while the event loop is idle (e.g. while the trainer awaits the GPU).
 */
import { RunError } from '../errors.ts';
import { Rng, permutation } from './rng.ts';
import type { ImageDataset } from './types.ts';

export interface LoaderOptions {
  batch: number;
  seed: number;
  mirror: boolean;
  prefetch: number;
  state?: LoaderState;        // resume from a previous loader's state()
}

/** Everything needed to continue the sequence: plain JSON, for checkpoints. */
export interface LoaderState {
  seed: number;
  size: number;               // dataset size (without mirroring), checked on restore
  mirror: boolean;
  epoch: number;
  position: number;           // next item within the epoch's permutation
}

export interface Batch {
  images: Uint8Array;         // [batch, C, H, W] NCHW, uint8 0..255
  labels: Float32Array;       // [batch, labelDim]
  indices: Int32Array;        // item per row; >= dataset.size means the x-flip of item - size
  batch: number;
  channels: number;
  resolution: number;
  labelDim: number;
}

export interface Loader {
  next(): Promise<Batch>;
  /** The state after the last batch returned by next() (prefetched batches are not counted). */
  state(): LoaderState;
  close(): void;
}

/** Mirrors a CHW image along x in place. */
export function flipX(image: Uint8Array, channels: number, height: number, width: number): void {
  for (let r = 0; r < channels * height; r++) image.subarray(r * width, (r + 1) * width).reverse();
}

function checkOptions(dataset: ImageDataset, o: LoaderOptions): void {
  if (!Number.isInteger(o.batch) || o.batch < 1) throw new RunError(`createLoader: batch must be a positive integer (got ${o.batch})`);
  if (!Number.isInteger(o.prefetch) || o.prefetch < 0) throw new RunError(`createLoader: prefetch must be an integer >= 0 (got ${o.prefetch})`);
  if (dataset.size < 1) throw new RunError(`createLoader: dataset ${dataset.name} is empty (got size ${dataset.size})`);
  const s = o.state;
  if (!s) return;
  if (s.size !== dataset.size) throw new RunError(`createLoader: resume state is for a dataset of ${s.size} images (got ${dataset.size} in ${dataset.name})`);
  if (s.seed !== o.seed || s.mirror !== o.mirror) throw new RunError(`createLoader: resume state has seed=${s.seed} mirror=${s.mirror} (got seed=${o.seed} mirror=${o.mirror})`);
  const items = dataset.size * (s.mirror ? 2 : 1);
  if (!Number.isInteger(s.epoch) || s.epoch < 0 || !Number.isInteger(s.position) || s.position < 0 || s.position >= items) {
    throw new RunError(`createLoader: resume state has an invalid position (got epoch=${s.epoch} position=${s.position})`);
  }
}

export function createLoader(dataset: ImageDataset, options: LoaderOptions): Loader {
  checkOptions(dataset, options);
  const { batch, seed, mirror, prefetch } = options;
  const { size, channels, resolution, labelDim } = dataset;
  const items = size * (mirror ? 2 : 1);
  const imageBytes = channels * resolution * resolution;
  // Producer cursor (runs ahead) and consumer state (what the trainer has seen).
  let cursor = { epoch: options.state?.epoch ?? 0, position: options.state?.position ?? 0 };
  let consumed: LoaderState = { seed, size, mirror, ...cursor };
  let perm: Int32Array | null = null;
  let permEpoch = -1;
  let closed = false;

  const itemAt = (epoch: number, position: number): number => {
    if (permEpoch !== epoch) { perm = permutation(items, new Rng(seed, epoch, 0x10ade5)); permEpoch = epoch; }
    return perm![position]!;
  };

  const produce = async (): Promise<{ batch: Batch; after: LoaderState }> => {
    await new Promise((resolve) => setImmediate(resolve));   // let the consumer's work interleave
    if (closed) throw new RunError('loader: closed');
    const images = new Uint8Array(batch * imageBytes);
    const labels = new Float32Array(batch * labelDim);
    const indices = new Int32Array(batch);
    for (let b = 0; b < batch; b++) {
      const item = itemAt(cursor.epoch, cursor.position);
      const raw = item % size;
      const { image, label } = dataset.read(raw);
      if (item >= size) flipX(image, channels, resolution, resolution);
      images.set(image, b * imageBytes);
      labels.set(label, b * labelDim);
      indices[b] = item;
      cursor = cursor.position + 1 === items ? { epoch: cursor.epoch + 1, position: 0 } : { epoch: cursor.epoch, position: cursor.position + 1 };
    }
    return { batch: { images, labels, indices, batch, channels, resolution, labelDim }, after: { seed, size, mirror, ...cursor } };
  };

  // Batches are produced strictly one after another (chained), so their order is the cursor's.
  const queue: Array<Promise<{ batch: Batch; after: LoaderState }>> = [];
  let tail: Promise<unknown> = Promise.resolve();
  const schedule = (): void => {
    const p = tail.then(produce);
    p.catch(() => {});   // surfaced when the consumer awaits it
    tail = p.catch(() => {});
    queue.push(p);
  };

  return {
    async next() {
      if (closed) throw new RunError('loader: next() after close()');
      if (queue.length === 0) schedule();
      const head = queue.shift()!;
      while (queue.length < prefetch) schedule();
      const { batch: out, after } = await head;
      consumed = after;
      return out;
    },
    state: () => ({ ...consumed }),
    close() { closed = true; queue.length = 0; },
  };
}
