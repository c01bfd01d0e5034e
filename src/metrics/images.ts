/**
 * Image batches as the metrics receive them: plain NCHW data (the official layout), so that
 * generators, datasets and tests can hand images over without sharing tensors or a backend.
 */

/** NCHW. Generated images are float in [-1, 1]; dataset images are uint8 (0..255). */
export interface ImageBatch {
  data: Float32Array | Uint8Array;
  shape: [number, number, number, number];
}

/** Produces `n` generated images, NCHW float in [-1, 1]; called with batches of at most the requested size. */
export type ImageGenerator = (n: number) => Promise<ImageBatch>;

/**
 * Float [-1, 1] -> uint8 exactly as the official metrics do before the feature network:
 * `(img * 127.5 + 128).clamp(0, 255).to(torch.uint8)` (float32 arithmetic, then truncation).
 */
export function quantizeImages(batch: ImageBatch): ImageBatch & { data: Uint8Array } {
  if (batch.data instanceof Uint8Array) return { data: batch.data, shape: batch.shape };
  const src = batch.data;
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = Math.fround(Math.fround(src[i] * 127.5) + 128);
    out[i] = v >= 255 ? 255 : v > 0 ? Math.trunc(v) : 0; // NaN -> 0 (torch's uint8 cast of NaN is undefined)
  }
  return { data: out, shape: batch.shape };
}

export function checkImageBatch(batch: ImageBatch, where: string): void {
  const [n, c, h, w] = batch.shape;
  if (batch.shape.length !== 4 || batch.data.length !== n * c * h * w) {
    throw new Error(`${where}: image batch data (${batch.data.length} values) does not match NCHW shape [${batch.shape}]`);
  }
  if (c !== 1 && c !== 3) throw new Error(`${where}: images must have 1 or 3 channels (got ${c})`);
}
