import test from 'ava';
import { createLoader, flipX, type Batch } from '../../src/data/loader.ts';
import type { ImageDataset } from '../../src/data/types.ts';

const RES = 4;
const CH = 2;

/** A dataset whose image i is filled with a position code and i, and which counts its reads. */
function countingDataset(size: number): ImageDataset & { reads: number } {
  const ds = {
    name: 'counting', size, resolution: RES, channels: CH, labelDim: 3, reads: 0,
    read(i: number) {
      ds.reads++;
      const image = new Uint8Array(CH * RES * RES);
      for (let c = 0; c < CH; c++) for (let y = 0; y < RES; y++) for (let x = 0; x < RES; x++) image[(c * RES + y) * RES + x] = (i * 16 + c * 8 + y * 2 + x) % 256;
      return { image, label: Float32Array.from([i, i + 0.5, -i]) };
    },
    close() {},
  };
  return ds;
}

const idle = () => new Promise((resolve) => setTimeout(resolve, 30));

async function take(loader: { next(): Promise<Batch> }, n: number): Promise<Batch[]> {
  const out: Batch[] = [];
  for (let i = 0; i < n; i++) out.push(await loader.next());
  return out;
}

test('every epoch visits each item exactly once, in a seeded order; batches cross epoch ends', async (t) => {
  const ds = countingDataset(10);
  const loader = createLoader(ds, { batch: 4, seed: 3, mirror: false, prefetch: 1 });
  const items = (await take(loader, 5)).flatMap((b) => [...b.indices]);   // 20 items = 2 epochs
  t.deepEqual([...items.slice(0, 10)].sort((a, b) => a - b), [...Array(10).keys()]);
  t.deepEqual([...items.slice(10)].sort((a, b) => a - b), [...Array(10).keys()]);
  t.notDeepEqual(items.slice(0, 10), items.slice(10));            // a new permutation per epoch
  t.notDeepEqual(items.slice(0, 10), [...Array(10).keys()]);      // shuffled
  t.deepEqual(loader.state(), { seed: 3, size: 10, mirror: false, epoch: 2, position: 0 });
  loader.close();
});

test('batch layout: NCHW rows are dataset.read(index), labels [batch, labelDim]', async (t) => {
  const ds = countingDataset(7);
  const [b] = await take(createLoader(ds, { batch: 3, seed: 0, mirror: false, prefetch: 0 }), 1);
  t.is(b!.images.length, 3 * CH * RES * RES);
  t.is(b!.labels.length, 3 * 3);
  for (let r = 0; r < 3; r++) {
    const want = ds.read(b!.indices[r]!);
    t.deepEqual(b!.images.subarray(r * CH * RES * RES, (r + 1) * CH * RES * RES), want.image);
    t.deepEqual(b!.labels.subarray(r * 3, r * 3 + 3), want.label);
  }
});

test('same seed -> same batches; another seed -> another order', async (t) => {
  const a = await take(createLoader(countingDataset(50), { batch: 8, seed: 1, mirror: false, prefetch: 2 }), 10);
  const b = await take(createLoader(countingDataset(50), { batch: 8, seed: 1, mirror: false, prefetch: 0 }), 10);
  const c = await take(createLoader(countingDataset(50), { batch: 8, seed: 2, mirror: false, prefetch: 2 }), 10);
  t.deepEqual(a.map((x) => [...x.indices]), b.map((x) => [...x.indices]));
  t.deepEqual(a.map((x) => x.images), b.map((x) => x.images));
  t.notDeepEqual(a.map((x) => [...x.indices]), c.map((x) => [...x.indices]));
});

test('state() -> JSON -> restore continues the identical sequence (prefetched batches are not lost)', async (t) => {
  const opts = { batch: 6, seed: 9, mirror: true, prefetch: 3 };
  const full = await take(createLoader(countingDataset(11), opts), 12);
  const first = createLoader(countingDataset(11), opts);
  await take(first, 5);
  await idle();                                       // let it prefetch ahead
  const saved = JSON.parse(JSON.stringify(first.state()));
  first.close();
  const resumed = createLoader(countingDataset(11), { ...opts, state: saved });
  const rest = await take(resumed, 7);
  t.deepEqual(rest.map((b) => [...b.indices]), full.slice(5).map((b) => [...b.indices]));
  t.deepEqual(rest.map((b) => b.images), full.slice(5).map((b) => b.images));
  t.deepEqual(rest.map((b) => b.labels), full.slice(5).map((b) => b.labels));
});

test('mirror doubles the items: item size + i is item i flipped along x', async (t) => {
  const ds = countingDataset(5);
  const batches = await take(createLoader(ds, { batch: 5, seed: 4, mirror: true, prefetch: 0 }), 2);
  const seen = batches.flatMap((b) => [...b.indices]);
  t.deepEqual([...seen].sort((a, b) => a - b), [...Array(10).keys()]);
  const bytes = CH * RES * RES;
  for (const b of batches) for (let r = 0; r < 5; r++) {
    const item = b.indices[r]!;
    const want = ds.read(item % 5).image;
    if (item >= 5) flipX(want, CH, RES, RES);
    t.deepEqual(b.images.subarray(r * bytes, (r + 1) * bytes), want);
  }
  const img = Uint8Array.from([1, 2, 3, 4, 5, 6]);   // [C=1, H=2, W=3]
  flipX(img, 1, 2, 3);
  t.deepEqual([...img], [3, 2, 1, 6, 5, 4]);
});

for (const prefetch of [0, 1, 3]) {
  test(`prefetch=${prefetch}: never reads more than ${prefetch} batches ahead`, async (t) => {
    const ds = countingDataset(1000);
    const loader = createLoader(ds, { batch: 4, seed: 0, mirror: false, prefetch });
    await idle();
    t.is(ds.reads, 0);                                   // nothing before the first request
    for (let k = 1; k <= 3; k++) {
      await loader.next();
      await idle();
      t.is(ds.reads, (k + prefetch) * 4, `after ${k} batches`);
    }
    loader.close();
  });
}

test('bad options and mismatched resume states are clear errors', async (t) => {
  const ds = countingDataset(10);
  t.throws(() => createLoader(ds, { batch: 0, seed: 0, mirror: false, prefetch: 0 }), { message: 'createLoader: batch must be a positive integer (got 0)' });
  t.throws(() => createLoader(ds, { batch: 2, seed: 0, mirror: false, prefetch: -1 }), { message: 'createLoader: prefetch must be an integer >= 0 (got -1)' });
  const state = { seed: 0, size: 12, mirror: false, epoch: 0, position: 3 };
  t.throws(() => createLoader(ds, { batch: 2, seed: 0, mirror: false, prefetch: 0, state }), { message: 'createLoader: resume state is for a dataset of 12 images (got 10 in counting)' });
  t.throws(() => createLoader(ds, { batch: 2, seed: 1, mirror: false, prefetch: 0, state: { ...state, size: 10 } }), { message: 'createLoader: resume state has seed=0 mirror=false (got seed=1 mirror=false)' });
  const loader = createLoader(ds, { batch: 2, seed: 0, mirror: false, prefetch: 0 });
  loader.close();
  await t.throwsAsync(loader.next(), { message: 'loader: next() after close()' });
});
