import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from '../../src/data/crc32.ts';
import { ZipReader } from '../../src/data/zip.ts';
import { ZipWriter } from '../../src/data/zip-writer.ts';
import { pythonListZip, pythonZip, tmp } from './_fixtures.ts';

const files = {
  'b/second.bin': new Uint8Array(5000).map((_, i) => (i * 7) % 256),
  'a.txt': 'hello zip '.repeat(50),
  'dataset.json': '{"labels": null}',
};

test('crc32 known answer: "123456789" -> 0xCBF43926', (t) => {
  t.is(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  t.is(crc32(new Uint8Array(0)), 0);
});

for (const method of ['stored', 'deflated'] as const) {
  test(`ZipReader reads a ${method} zip written by Python's zipfile`, (t) => {
    const zip = new ZipReader(pythonZip(join(tmp(t), 'x.zip'), files, method));
    t.deepEqual(zip.names(), Object.keys(files));
    for (const [name, data] of Object.entries(files)) {
      const want = typeof data === 'string' ? new TextEncoder().encode(data) : data;
      t.deepEqual(new Uint8Array(zip.read(name)), want, name);
      t.is(zip.entries.get(name)!.method, method === 'stored' ? 0 : 8);
    }
    zip.close();
  });
}

test('ZipReader detects a corrupted member and names it', (t) => {
  const path = pythonZip(join(tmp(t), 'x.zip'), { 'img.png': new Uint8Array(100).fill(9) }, 'stored');
  const bytes = readFileSync(path);
  const at = bytes.indexOf(Buffer.from('img.png')) + 'img.png'.length + 10;   // inside the data
  bytes[at]! ^= 0xff;
  writeFileSync(path, bytes);
  const zip = new ZipReader(path);
  t.throws(() => zip.read('img.png'), { message: `${path}: not a readable zip: img.png: CRC or size mismatch, the member is corrupt` });
  t.throws(() => zip.read('nope.png'), { message: `${path}: no member nope.png in the zip` });
  zip.close();
});

test('ZipReader rejects a file that is not a zip', (t) => {
  const path = join(tmp(t), 'fake.zip');
  writeFileSync(path, 'not a zip at all');
  t.throws(() => new ZipReader(path), { message: `${path}: not a readable zip: no end-of-central-directory record (got a file without one)` });
});

test('ZipWriter output is read by Python (stored and deflated members) and by ZipReader', (t) => {
  const path = join(tmp(t), 'out.zip');
  const w = new ZipWriter(path);
  w.add('00000/img00000000.png', new Uint8Array([1, 2, 3]));
  w.add('notes/ünï.txt', new TextEncoder().encode('x'.repeat(1000)), { deflate: true });
  w.finish();
  const py = pythonListZip(path);
  t.is(py.bad, null);
  t.deepEqual(py.names, ['00000/img00000000.png', 'notes/ünï.txt']);
  t.deepEqual(py.methods, [0, 8]);
  t.deepEqual(py.sizes, [3, 1000]);
  const zip = new ZipReader(path);
  t.deepEqual([...zip.read('00000/img00000000.png')], [1, 2, 3]);
  t.is(new TextDecoder().decode(zip.read('notes/ünï.txt')), 'x'.repeat(1000));
  zip.close();
});

test('more than 65535 members: ZIP64 end records, read back by Python and by ZipReader', (t) => {
  const path = join(tmp(t), 'many.zip');
  const w = new ZipWriter(path);
  const n = 65536 + 10;
  for (let i = 0; i < n; i++) w.add(`f${i}`, new Uint8Array([i & 255]));
  w.finish();
  const py = pythonListZip(path);
  t.is(py.bad, null);
  t.is(py.names.length, n);
  const zip = new ZipReader(path);
  t.is(zip.names().length, n);
  t.deepEqual([...zip.read(`f${n - 1}`)], [(n - 1) & 255]);
  zip.close();
});

test('ZipWriter.abort removes the partial file; add after finish throws', (t) => {
  const dir = tmp(t);
  const w = new ZipWriter(join(dir, 'a.zip'));
  w.add('x', new Uint8Array(1));
  w.abort();
  t.throws(() => readFileSync(join(dir, 'a.zip')));
  const v = new ZipWriter(join(dir, 'b.zip'));
  v.finish();
  t.throws(() => v.add('y', new Uint8Array(1)), { message: /already finished/ });
});
