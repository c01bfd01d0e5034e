// Checkpoints: bit-exact round trips, keep-last-K, and that only complete, matching pairs count.
import test from 'ava';
import { existsSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunError } from '../../../src/errors.ts';
import { serializeSafetensors } from '../../../src/io/safetensors.ts';
import {
  checkSafetensorsFile, checkpointLabel, latestCheckpoint, listCheckpoints, readCheckpoint, verifyCheckpoint, writeCheckpoint,
  type CheckpointState,
} from '../../../src/train/run/index.ts';
import { awkwardTensors, bytesOf, recordingLog, tmp } from './_helpers.ts';

const state = (kimg: number, extra: object = {}): CheckpointState => ({ step: kimg * 2, cur_nimg: kimg * 1000, kimg, ...extra });

/** Writes checkpoints at each kimg into a fresh dir. */
function writeSeries(kimgs: number[], keep = 0) {
  const dir = tmp();
  const refs = kimgs.map((k) => writeCheckpoint(dir, checkpointLabel(k * 1000), awkwardTensors(k), state(k), { keep }));
  return { dir, refs };
}

test('checkpointLabel is the official cur_nimg // 1000 with six digits', (t) => {
  t.deepEqual([0, 999, 40_000, 40_999, 25_000_000].map(checkpointLabel), ['000000', '000000', '000040', '000040', '025000']);
});

test('write -> latest -> read is bit-exact for every dtype, keeps key order, and returns the state', (t) => {
  const dir = tmp();
  const tensors = awkwardTensors(7);
  const st = state(40, { ada_p: 0.123456789012345, rng: { data: [1, 2, 3], name: 'philox' }, blur_sigma: 0, flags: [true, null] });
  const written = writeCheckpoint(dir, '000040', tensors, st);
  t.deepEqual(readdirSync(dir).sort(), ['checkpoint-000040.json', 'checkpoint-000040.safetensors']);
  const latest = latestCheckpoint(dir);
  t.deepEqual(latest, written);
  const back = readCheckpoint(latest!);
  t.deepEqual([...back.tensors.keys()], [...tensors.keys()]);
  for (const [name, tensor] of tensors) {
    const got = back.tensors.get(name)!;
    t.is(got.dtype, tensor.dtype, name);
    t.deepEqual(got.shape, tensor.shape, name);
    t.true(bytesOf(got).equals(bytesOf(tensor)), `${name} bytes differ`);
  }
  t.deepEqual(back.state, st);
  t.deepEqual(JSON.parse(readFileSync(join(dir, 'checkpoint-000040.json'), 'utf8')).state, st);
  t.is(back.metadata.label, '000040');
});

test('keep=2 leaves the two newest pairs; keep=0 leaves all', (t) => {
  const kept = writeSeries([4, 8, 12, 16, 20], 2);
  t.deepEqual(readdirSync(kept.dir).sort(), [
    'checkpoint-000016.json', 'checkpoint-000016.safetensors', 'checkpoint-000020.json', 'checkpoint-000020.safetensors',
  ]);
  t.deepEqual(listCheckpoints(kept.dir).map((r) => r.label), ['000016', '000020']);
  const all = writeSeries([4, 8, 12], 0);
  t.deepEqual(listCheckpoints(all.dir).map((r) => r.label), ['000004', '000008', '000012']);
});

test('newest is by cur_nimg, not by label text', (t) => {
  const dir = tmp();
  writeCheckpoint(dir, 'final', awkwardTensors(1), state(5));
  writeCheckpoint(dir, 'a-early', awkwardTensors(2), state(3));
  t.is(latestCheckpoint(dir)!.label, 'final');
});

test('a truncated safetensors is skipped with a warning; the previous checkpoint is returned', (t) => {
  const { dir, refs } = writeSeries([4, 8]);
  truncateSync(refs[1]!.tensorsPath, refs[1]!.bytes - 5);
  const log = recordingLog();
  t.is(latestCheckpoint(dir, log)!.label, '000004');
  t.is(log.lines.length, 1);
  t.regex(log.lines[0]!.msg, /^skipping checkpoint 000008: checkpoint-000008\.safetensors has \d+ bytes, the manifest says \d+ \(truncated or replaced\)$/);
  t.throws(() => readCheckpoint(refs[1]!), { instanceOf: RunError, message: /does not match its manifest/ });
});

test('same size, different bytes: the sha256 mismatch is caught', (t) => {
  const { dir, refs } = writeSeries([4, 8]);
  const bytes = readFileSync(refs[1]!.tensorsPath);
  bytes[bytes.length - 1]! ^= 1;
  writeFileSync(refs[1]!.tensorsPath, bytes);
  const log = recordingLog();
  t.is(latestCheckpoint(dir, log)!.label, '000004');
  t.regex(log.lines[0]!.msg, /checkpoint-000008\.safetensors has sha256 [0-9a-f]{64}, the manifest says [0-9a-f]{64}$/);
  t.regex(verifyCheckpoint(refs[1]!) ?? '', /sha256/);
  t.is(verifyCheckpoint(refs[0]!), null);
});

test('a manifest whose recorded size is wrong, or that is not JSON, is skipped', (t) => {
  const { dir, refs } = writeSeries([4, 8, 12]);
  const m = JSON.parse(readFileSync(refs[2]!.manifestPath, 'utf8'));
  m.tensors.bytes += 8;
  writeFileSync(refs[2]!.manifestPath, JSON.stringify(m));
  writeFileSync(refs[1]!.manifestPath, '{"format": "sg3-checkpoint", "vers');
  const log = recordingLog();
  t.is(latestCheckpoint(dir, log)!.label, '000004');
  t.deepEqual(log.lines.map((l) => l.msg.split(':')[0]), ['skipping checkpoint checkpoint-000008.json', 'ignoring checkpoint-000008.safetensors', 'skipping checkpoint 000012']);
});

test('crash between the two writes: the orphan tensors file never counts, earlier checkpoints stay', (t) => {
  const { dir } = writeSeries([4]);
  const crash = () => { throw new Error('simulated crash'); };
  t.throws(() => writeCheckpoint(dir, '000008', awkwardTensors(8), state(8), { beforeManifest: crash }), { message: 'simulated crash' });
  t.true(existsSync(join(dir, 'checkpoint-000008.safetensors')));
  t.false(existsSync(join(dir, 'checkpoint-000008.json')));
  const log = recordingLog();
  t.is(latestCheckpoint(dir, log)!.label, '000004');
  t.is(log.lines[0]!.msg, 'ignoring checkpoint-000008.safetensors: it has no manifest (a write that did not finish)');
  t.false(readdirSync(dir).some((f) => f.endsWith('.tmp')));
});

test('crash while overwriting a label: the old manifest is gone first, so it never vouches for new bytes', (t) => {
  const { dir } = writeSeries([4, 8]);
  t.throws(() => writeCheckpoint(dir, '000008', awkwardTensors(99), state(8), { beforeManifest: () => { throw new Error('crash'); } }));
  t.is(latestCheckpoint(dir)!.label, '000004');
  // the next successful write of that label is complete again, and pruning drops the orphan-free rest
  writeCheckpoint(dir, '000008', awkwardTensors(8), state(8), { keep: 1 });
  t.deepEqual(readdirSync(dir).sort(), ['checkpoint-000008.json', 'checkpoint-000008.safetensors']);
});

test('pruning also removes tensors files that never got a manifest', (t) => {
  const { dir } = writeSeries([4]);
  t.throws(() => writeCheckpoint(dir, '000006', awkwardTensors(6), state(6), { beforeManifest: () => { throw new Error('crash'); } }));
  const log = recordingLog();
  writeCheckpoint(dir, '000008', awkwardTensors(8), state(8), { keep: 2, log });
  t.deepEqual(listCheckpoints(dir).map((r) => r.label), ['000004', '000008']);
  t.false(existsSync(join(dir, 'checkpoint-000006.safetensors')));
  t.deepEqual(log.lines.map((l) => l.msg), ['removed checkpoint-000006.safetensors: it had no manifest (a write that did not finish)']);
});

test('bad states and labels are refused before anything is written', (t) => {
  const dir = tmp();
  const cases: Array<[string, CheckpointState, RegExp]> = [
    ['000001', { step: 1, cur_nimg: 1000, ada_p: Number.NaN }, /state\.ada_p must be plain JSON, not a non-finite number \(got NaN\)/],
    ['000001', { step: 1, cur_nimg: 1000, rng: new Float32Array(2) }, /state\.rng must be plain JSON, not a Float32Array instance/],
    ['000001', { step: 1, cur_nimg: 1000, ema: { beta: undefined } }, /state\.ema\.beta must be plain JSON, not of type undefined/],
    ['000001', { step: -1, cur_nimg: 0 }, /state\.step must be a non-negative number \(got -1\)/],
    ['../x', state(1), /label must be letters, digits/],
  ];
  for (const [label, st, message] of cases) t.throws(() => writeCheckpoint(dir, label, awkwardTensors(), st), { message });
  t.deepEqual(readdirSync(dir), []);
  t.is(latestCheckpoint(dir), null);
});

test('checkSafetensorsFile accepts a whole file and refuses a truncated or missing one', (t) => {
  const dir = tmp();
  const path = join(dir, 'w.safetensors');
  const bytes = serializeSafetensors(awkwardTensors());
  writeFileSync(path, bytes);
  t.is(checkSafetensorsFile(path), path);
  writeFileSync(path, bytes.subarray(0, bytes.length - 3));
  t.throws(() => checkSafetensorsFile(path), { instanceOf: RunError, message: /data_offsets/ });
  t.throws(() => checkSafetensorsFile(join(dir, 'nope.safetensors')), { instanceOf: RunError, message: /^--resume-from: cannot read .*nope\.safetensors \(got ENOENT\)$/ });
});
