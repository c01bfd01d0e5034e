/**
 * Decoding dataset images to interleaved uint8 pixels (HWC) with their *native* channel count,
 * as `np.array(PIL.Image.open(f))` sees it: gray 1, gray+alpha 2, RGB 3, RGBA 4 (a palette PNG
 * counts as RGB). The format is taken from the magic bytes, not the file name.
 */
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';

export interface DecodedImage {
  width: number;
  height: number;
  channels: number;        // native: 1, 2, 3 or 4
  bitDepth: number;        // of the file; pixels are always 8-bit
  pixels: Uint8Array;      // [H, W, C]
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 33 && PNG_MAGIC.every((b, i) => bytes[i] === b);
}

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** Throws a plain Error naming the problem; callers add the file name. */
export function decodeImage(bytes: Uint8Array): DecodedImage {
  if (isPng(bytes)) return decodePng(bytes);
  if (isJpeg(bytes)) return decodeJpeg(bytes);
  throw new Error('not a PNG or JPEG file');
}

// PNG color type -> channels: 0 gray, 2 RGB, 3 palette (RGB), 4 gray+alpha, 6 RGBA.
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };

function decodePng(bytes: Uint8Array): DecodedImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bitDepth = bytes[24]!;
  const channels = PNG_CHANNELS[bytes[25]!];
  if (channels === undefined) throw new Error(`PNG color type ${bytes[25]} is invalid`);
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  return { width, height, channels, bitDepth, pixels: fromRgba(png.data, width * height, channels) };
}

/** pngjs always returns 8-bit RGBA; keep the channels the file has (gray = R, alpha = A). */
function fromRgba(rgba: Uint8Array, count: number, channels: number): Uint8Array {
  if (channels === 4) return new Uint8Array(rgba.buffer, rgba.byteOffset, count * 4).slice();
  const out = new Uint8Array(count * channels);
  for (let p = 0; p < count; p++) {
    const s = p * 4;
    const d = p * channels;
    if (channels === 1) out[d] = rgba[s]!;
    else if (channels === 2) { out[d] = rgba[s]!; out[d + 1] = rgba[s + 3]!; }
    else { out[d] = rgba[s]!; out[d + 1] = rgba[s + 1]!; out[d + 2] = rgba[s + 2]!; }
  }
  return out;
}

/** Number of components in the JPEG frame header (SOFn), without decoding. */
function jpegComponents(bytes: Uint8Array): number {
  let p = 2;
  while (p + 9 < bytes.length) {
    if (bytes[p] !== 0xff) { p++; continue; }
    const marker = bytes[p + 1]!;
    if (marker === 0xff) { p++; continue; }
    const len = (bytes[p + 2]! << 8) | bytes[p + 3]!;
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return bytes[p + 9]!;
    p += 2 + len;
  }
  throw new Error('JPEG has no frame header');
}

function decodeJpeg(bytes: Uint8Array): DecodedImage {
  const components = jpegComponents(bytes);
  if (components !== 1 && components !== 3) throw new Error(`JPEG with ${components} components is not supported (use gray or RGB)`);
  const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
  const count = img.width * img.height;
  if (components === 3) return { width: img.width, height: img.height, channels: 3, bitDepth: 8, pixels: img.data };
  // jpeg-js expands gray to RGB; keep one channel.
  const gray = new Uint8Array(count);
  for (let p = 0; p < count; p++) gray[p] = img.data[p * 3]!;
  return { width: img.width, height: img.height, channels: 1, bitDepth: 8, pixels: gray };
}

/** HWC -> CHW (the official `image.transpose(2, 0, 1)`). */
export function hwcToChw(pixels: Uint8Array, height: number, width: number, channels: number): Uint8Array {
  if (channels === 1) return pixels.slice();
  const out = new Uint8Array(pixels.length);
  const plane = height * width;
  for (let p = 0; p < plane; p++) for (let c = 0; c < channels; c++) out[c * plane + p] = pixels[p * channels + c]!;
  return out;
}
