/**
 * The loop end to end, in-process, on the stylegan2 smoke profile (the cheapest network; it also
 * runs style mixing, path-length regularisation and, here, ADA with augmentation in every D phase):
 * determinism of two runs, a stopped-and-resumed run bit-identical to an uninterrupted one,
 * tensor counts flat across steps, and the NaN stop with a checkpoint of the last good state.
 */
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunError } from '../../src/errors.ts';
import { readSafetensors } from '../../src/io/safetensors.ts';
import { manifests, numTensors, progressLosses, runSession, tmp } from './_run.ts';

// 10 steps of batch 4; ADA adjusts p (from 0.3, by 0.08) every step, checkpoints every 2 steps.
const ADA = ['augment.kind=ada', 'augment.p=0.3', 'augment.interval=1', 'augment.ada_kimg=0.05', 'train.kimg=0.04', 'train.image_kimg=1'];

let reference: string;

test.serial('determinism: two runs of the same config and seed give the same losses step for step and the same weights', async (t) => {
  const counts: number[] = [];
  reference = await runSession({ runsDir: tmp(), set: ADA, onStep: () => counts.push(numTensors()) });
  const afterFirst = numTensors();
  const again = await runSession({ runsDir: tmp(), set: ADA });
  t.is(numTensors(), afterFirst, 'a whole session leaves no tensors behind');
  const a = progressLosses(reference), b = progressLosses(again);
  t.is(a.length, 10, 'one tick per step at this profile');
  t.true(a.every((r) => Number.isFinite(r.G) && Number.isFinite(r.D)));
  t.deepEqual(b, a);
  const ma = manifests(reference), mb = manifests(again);
  t.deepEqual([...ma.keys()], ['000000.008', '000000.016', '000000.024', '000000.032', '000000.040']);
  for (const [label, m] of ma) t.is(mb.get(label)!.tensors.sha256, m.tensors.sha256, `checkpoint ${label}`);
  const last = ma.get('000000.040')!.state as { augment_p: number; step: number };
  t.is(last.step, 10);
  t.not(last.augment_p, 0.3, 'ADA moved p');
  // tensors: flat after the first step (everything per-step is disposed)
  t.true(counts.length === 10 && counts.slice(1).every((c) => c === counts[1]), `tensor counts per step: ${counts.join(', ')}`);
});

test.serial('resume: stopped after 3 steps, resumed, the run ends bit-identical to the uninterrupted one', async (t) => {
  const runsDir = tmp();
  const path = await runSession({ runsDir, set: ADA, stopAfter: 3 });
  const stoppedAt = manifests(path);
  t.deepEqual([...stoppedAt.keys()], ['000000.008', '000000.012'], 'a snapshot at step 2 and the stop checkpoint at step 3');
  t.false(existsSync(join(path, 'fakes000000.040.png')));
  await runSession({ runsDir, resume: path });
  const ref = manifests(reference), got = manifests(path);
  for (const label of ['000000.016', '000000.040']) {
    t.is(got.get(label)!.tensors.sha256, ref.get(label)!.tensors.sha256, `checkpoint ${label}: same bytes`);
    const { written_at: _a, ...sa } = got.get(label)!.state as Record<string, unknown>;
    const { written_at: _b, ...sb } = ref.get(label)!.state as Record<string, unknown>;
    t.deepEqual(sa, sb, `checkpoint ${label}: same state (counters, rng, loader, ADA p, Adam steps)`);
  }
  t.deepEqual(progressLosses(path), progressLosses(reference), 'the same losses at every step, before and after the resume');
  const run = JSON.parse(readFileSync(join(path, 'run.json'), 'utf8')) as { status: string; resumes: { checkpoint: string }[] };
  t.is(run.status, 'done');
  t.deepEqual(run.resumes.map((r) => r.checkpoint), ['000000.012']);
  t.deepEqual(readFileSync(join(path, 'fakes000000.040.png')), readFileSync(join(reference, 'fakes000000.040.png')),
    'the resumed run renders the same grid latents (plan.json) with the same weights: the same fakes, byte for byte');
});

test.serial('NaN/Inf: a diverging run stops with one line and a checkpoint of the state before the bad step', async (t) => {
  const runsDir = tmp();
  // A D learning rate of 1e30 sends D's weights (and the next D loss) to inf/NaN within a few steps.
  const err = await t.throwsAsync(runSession({ runsDir, set: ['optim.discriminator.lr=1e30', 'train.kimg=0.04'] }), { instanceOf: RunError });
  t.regex(err!.message, /^train: non-finite (Gmain|Gpl|Dgen|Dreal|Dr1) loss in phase \w+ at step (\d+) \(got (NaN|-?Infinity)\); wrote checkpoint (\S+) of the last good state \(step \2\); /);
  t.false(err!.message.includes('\n'));
  const m = /at step (\d+) .* wrote checkpoint (\S+) of the last good state/.exec(err!.message)!;
  const path = join(runsDir, '00000-stylegan2');
  const manifest = manifests(path).get(m[2]!)!;
  t.truthy(manifest, `checkpoint ${m[2]} exists`);
  t.is(manifest.state.step, Number(m[1]), 'the state before the failing step');
  const tensors = readSafetensors(join(path, `checkpoint-${m[2]}.safetensors`)).tensors;
  for (const [name, tensor] of tensors) t.true((tensor.data as Float32Array).every(Number.isFinite), `${name} finite`);
  t.is(JSON.parse(readFileSync(join(path, 'run.json'), 'utf8')).status, 'failed');
});

test.serial('--resume-from: a new run starts from the weights (fakes_init = the source run\'s last fakes), counters and optimizer fresh, ramps off', async (t) => {
  const runsDir = tmp();
  const source = join(reference, 'checkpoint-000000.040.safetensors');
  const path = await runSession({ runsDir, set: [...ADA, 'train.kimg=0.008'], resumeFrom: source });
  t.deepEqual(readFileSync(join(path, 'fakes_init.png')), readFileSync(join(reference, 'fakes000000.040.png')), 'G_ema loaded: the same grid renders the same image');
  const state = manifests(path).get('000000.008')!.state as { step: number; ramps_off: boolean; adam: { G: { steps: Record<string, number> } } };
  t.is(state.step, 2);
  t.true(state.ramps_off);
  t.deepEqual(state.adam, manifests(reference).get('000000.008')!.state.adam, 'fresh optimizers: the step counts of a fresh run after 2 steps');
  t.regex(readFileSync(join(path, 'log.jsonl'), 'utf8'), /initialised G, G_ema, D from .*checkpoint-000000\.040\.safetensors/);
});
