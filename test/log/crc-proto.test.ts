import test from 'ava';
import { crc32c, maskedCrc32c } from '../../src/log/crc32c.ts';
import { encodeMessage } from '../../src/log/protobuf.ts';
import { frameRecord } from '../../src/log/tfrecord.ts';

const ascii = (s: string) => new TextEncoder().encode(s);

test('crc32c known answers: "123456789" -> 0xE3069283, empty -> 0', (t) => {
  t.is(crc32c(ascii('123456789')), 0xe3069283);
  t.is(crc32c(new Uint8Array(0)), 0);
  // RFC 3720 B.4: 32 bytes of zeros -> 0x8A9136AA, 32 bytes of 0xFF -> 0x62A8AB43.
  t.is(crc32c(new Uint8Array(32)), 0x8a9136aa);
  t.is(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
});

test('masked crc is rotate-right-15 plus 0xA282EAD8', (t) => {
  const crc = 0xe3069283;
  const rotated = ((crc >>> 15) | (crc << 17)) >>> 0;
  t.is(maskedCrc32c(ascii('123456789')), (rotated + 0xa282ead8) % 2 ** 32);
});

test('protobuf wire encoding: varints, negative int64, double, float, strings, nested', (t) => {
  t.deepEqual([...encodeMessage((w) => w.int64(1, 150))], [0x08, 0x96, 0x01]);
  t.deepEqual([...encodeMessage((w) => w.int64(2, 300))], [0x10, 0xac, 0x02]);
  t.deepEqual([...encodeMessage((w) => w.int64(1, -1))], [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  t.deepEqual([...encodeMessage((w) => w.int64(1, 2 ** 40))], [0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
  t.deepEqual([...encodeMessage((w) => w.double(1, 1))], [0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
  t.deepEqual([...encodeMessage((w) => w.float(2, 1))], [0x15, 0, 0, 0x80, 0x3f]);
  t.deepEqual([...encodeMessage((w) => w.string(2, 'testing'))], [0x12, 0x07, ...ascii('testing')]);
  t.deepEqual([...encodeMessage((w) => w.message(3, (m) => m.int64(1, 150)))], [0x1a, 0x03, 0x08, 0x96, 0x01]);
  t.deepEqual([...encodeMessage((w) => w.message(2, () => {}))], [0x12, 0x00]);
  t.throws(() => encodeMessage((w) => w.int64(1, 2 ** 60)), { message: /safe integer/ });
});

test('TFRecord frame: u64 LE length, masked crc of the length, data, masked crc of the data', (t) => {
  const data = ascii('hello');
  const rec = frameRecord(data);
  const view = new DataView(rec.buffer);
  t.is(rec.length, 8 + 4 + 5 + 4);
  t.is(view.getBigUint64(0, true), 5n);
  t.is(view.getUint32(8, true), maskedCrc32c(rec.subarray(0, 8)));
  t.deepEqual([...rec.subarray(12, 17)], [...data]);
  t.is(view.getUint32(17, true), maskedCrc32c(data));
});
