/**
 * 8-bit PNG encoding of interleaved pixels (HWC), via pngjs. Channel count picks the PNG color
 * type: 1 gray (0), 2 gray+alpha (4), 3 RGB (2), 4 RGBA (6) — the same mapping PIL uses for
 * 'L', 'LA', 'RGB', 'RGBA', so a grid saved here matches the official PNG's pixels.
 */
import { PNG, type ColorType } from 'pngjs';

const COLOR_TYPE: Record<number, ColorType> = { 1: 0, 2: 4, 3: 2, 4: 6 };

export function encodePng(pixels: Uint8Array, width: number, height: number, channels: number): Uint8Array {
  const colorType = COLOR_TYPE[channels];
  if (colorType === undefined) throw new Error(`encodePng: channels must be 1..4 (got ${channels})`);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`encodePng: width and height must be positive integers (got ${width}x${height})`);
  }
  if (pixels.length !== width * height * channels) {
    throw new Error(`encodePng: expected ${width}x${height}x${channels} = ${width * height * channels} bytes (got ${pixels.length})`);
  }
  const hasAlpha = channels === 2 || channels === 4;
  const png = new PNG({ width, height, colorType, inputColorType: colorType, inputHasAlpha: hasAlpha, bitDepth: 8 });
  png.data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  return new Uint8Array(PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: hasAlpha }));
}
