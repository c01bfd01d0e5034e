/**
 * Snapshot grids: train.grid [gw, gh] sets the grid of reals.png, fakes_init.png, fakes<kimg>.png and
 * of their TensorBoard images, through the plan (training.grid_w/grid_h). One step of the smoke
 * profile (16 px images, batch 4).
 */
import test from 'ava';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { parsePlan } from '../../src/plan/index.ts';
import { tbcheck } from '../log/_tbcheck.ts';
import { runSession, tmp } from './_run.ts';

test('train.grid=[4, 2]: every grid PNG and TensorBoard image is 4 columns x 2 rows of 16 px images', async (t) => {
  const path = await runSession({ runsDir: tmp(), set: ['train.grid=[4, 2]', 'train.kimg=0.004'] });
  const plan = parsePlan(readFileSync(join(path, 'plan.json'), 'utf8'));
  t.deepEqual([plan.img_resolution, plan.training.grid_w, plan.training.grid_h], [16, 4, 2]);
  for (const name of ['reals.png', 'fakes_init.png', 'fakes000000.004.png']) {
    const png = PNG.sync.read(readFileSync(join(path, name)));
    t.deepEqual([png.width, png.height], [4 * 16, 2 * 16], name);
  }
  const events = readdirSync(path).filter((f) => f.startsWith('events.out.tfevents.')).map((f) => join(path, f));
  const report = tbcheck(events).files[0];
  t.deepEqual(report.images.reals.map((e: { images: { width: number; height: number }[] }) => [e.images[0]!.width, e.images[0]!.height]), [[64, 32]]);
  t.deepEqual(report.images.fakes.map((e: { images: { width: number; height: number }[] }) => [e.images[0]!.width, e.images[0]!.height]), [[64, 32], [64, 32]], 'fakes_init and the final fakes');
});
