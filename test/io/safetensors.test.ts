import test from 'ava';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors, serializeSafetensors, parseSafetensors, writeSafetensors } from '../../src/io/safetensors.ts';
import { GOLDEN } from '../_golden.ts';
import { testTempDir } from '../_tmp.ts';

const files = readdirSync(GOLDEN).filter((f) => f.endsWith('.safetensors'));

test('golden files exist', (t) => {
  t.true(files.length >= 10);
});

for (const file of files) {
  test(`file=${file} parses and round-trips through our writer`, (t) => {
    const path = join(GOLDEN, file);
    const st = readSafetensors(path);
    t.true(st.tensors.size > 0);
    t.is(st.metadata.golden !== undefined, true);
    for (const [name, tensor] of st.tensors) {
      t.is(tensor.dtype, 'F32', name);
      t.is(tensor.data.length, tensor.shape.reduce((a, b) => a * b, 1), name);
    }
    // Round trip through our writer and reader: same names, shapes and bits.
    const again = parseSafetensors(serializeSafetensors(st.tensors, st.metadata));
    t.deepEqual([...again.tensors.keys()], [...st.tensors.keys()]);
    for (const [name, tensor] of st.tensors) {
      t.deepEqual(again.tensors.get(name)!.shape, tensor.shape);
      t.deepEqual(again.tensors.get(name)!.data, tensor.data);
    }
  });
}

test('scalars keep their 0-d shape', (t) => {
  const st = readSafetensors(join(GOLDEN, 'g_sg3_T16_params.safetensors'));
  const ema = [...st.tensors.entries()].find(([k]) => k.endsWith('magnitude_ema'));
  t.truthy(ema);
  t.deepEqual(ema![1].shape, []);
  t.is(ema![1].data.length, 1);
});

test('write then read round-trips and the header is 8-byte aligned', (t) => {
  const dir = testTempDir(t, 'sg3-st-');
  const path = join(dir, 'x.safetensors');
  const a = new Float32Array([1, 2, 3, 4, 5, 6]);
  writeSafetensors(path, { a: { dtype: 'F32', shape: [2, 3], data: a }, s: { dtype: 'F32', shape: [], data: new Float32Array([7]) } }, { note: 'x' });
  const back = readSafetensors(path);
  t.deepEqual(back.tensors.get('a')!.data, a);
  t.deepEqual(back.tensors.get('s')!.shape, []);
  t.is(back.metadata.note, 'x');
  const bytes = serializeSafetensors({ a: { dtype: 'F32', shape: [1], data: new Float32Array([1]) } });
  const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  t.is(headerLen % 8, 0);
});

test('truncated file gives a one-line error naming the problem', (t) => {
  const bytes = serializeSafetensors({ a: { dtype: 'F32', shape: [4], data: new Float32Array(4) } });
  const err = t.throws(() => parseSafetensors(bytes.subarray(0, bytes.length - 3), 'w.safetensors'));
  t.regex(err!.message, /^w\.safetensors: tensor a: data_offsets/);
});
