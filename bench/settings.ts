/**
 * The bench's settings: which config each row uses and the overrides of each setting, and the same
 * setting as flags of bench/official.py (derived from the resolved config, so both sides build the
 * same networks).
 *
 *   official-32  32x32, G/D channel_base 4096, channel_max 128 (train.py --cbase 4096 --cmax 128:
 *                R doubles the generator's to 8192/256), batch 4, z/w 512, mapping depth 2,
 *                minibatch-std group 4, no augmentation
 *   small        the `small` profile of the row's config (32x32, batch 4, G 32 / R 64 channels)
 * Both train on the procedural dataset at 32x32 (the bench needs no files).
 */
import { join } from 'node:path';
import { loadConfig } from '../src/index.ts';
import type { ResolvedConfig } from '../src/config/index.ts';

export type Row = 'T' | 'R';
export type Setting = 'official-32' | 'small';
export const ROWS: Row[] = ['T', 'R'];
export const SETTINGS: Setting[] = ['small', 'official-32'];

const ROW_FILES: Record<Row, string> = { T: 'configs/stylegan3-t.yaml', R: 'configs/stylegan3-r.yaml' };
const PROCEDURAL = ['data.kind=procedural', 'data.path=null', 'data.resolution=32', 'data.num_images=256', 'metrics.names=[]'];

/** The resolved config of `row` under `setting`. */
export function benchConfig(root: string, row: Row, setting: Setting): ResolvedConfig {
  const file = join(root, ROW_FILES[row]);
  if (setting === 'small') return loadConfig(file, { profile: 'small', set: PROCEDURAL });
  const g = row === 'R' ? 2 : 1; // train.py --cfg=stylegan3-r doubles the generator's cbase/cmax
  return loadConfig(file, {
    set: [
      ...PROCEDURAL,
      'generator.z_dim=512', 'generator.w_dim=512', 'generator.mapping.layers=2',
      `generator.channels.base=${4096 * g}`, `generator.channels.max=${128 * g}`,
      'discriminator.channels.base=4096', 'discriminator.channels.max=128', 'discriminator.mbstd_group_size=4',
      'train.batch=4', 'augment.kind=none',
    ],
  });
}

/** bench/official.py flags for the same networks and loss (its --cbase/--cmax are train.py's, undoubled). */
export function officialFlags(row: Row, c: ResolvedConfig): string[] {
  const g = row === 'R' ? 2 : 1;
  if (c.augment.kind !== 'none') throw new Error(`bench: the official side runs without augmentation (got augment.kind ${c.augment.kind})`);
  const flags: Record<string, number | string> = {
    row, res: c.data.resolution, cbase: c.generator.channels.base / g, cmax: c.generator.channels.max / g,
    zdim: c.generator.z_dim, wdim: c.generator.w_dim, map: c.generator.mapping.layers,
    dcbase: c.discriminator.channels.base, dcmax: c.discriminator.channels.max,
    batch: c.train.batch, gamma: c.loss.r1_gamma,
  };
  return Object.entries(flags).flatMap(([k, v]) => [`--${k}`, String(v)]);
}
