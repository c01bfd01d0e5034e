import test from 'ava';
import { quantizeImages } from '../../src/metrics/images.ts';

test('quantizeImages = (x * 127.5 + 128).clamp(0, 255).to(uint8): float32 arithmetic, then truncation', (t) => {
  const x = Float32Array.from([-1, -0.999, -0.5, 0, 0.0039, 0.5, 0.99, 1, 3, -3, NaN]);
  const q = quantizeImages({ data: x, shape: [1, 1, 1, x.length] });
  t.deepEqual([...q.data], [0, 0, 64, 128, 128, 191, 254, 255, 255, 0, 0]);
  const u8 = Uint8Array.from([1, 2, 3]);
  t.is(quantizeImages({ data: u8, shape: [1, 1, 1, 3] }).data, u8); // uint8 input passes through
});
