import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { convertDataset } from '../data/convert.ts';

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`sg3 dataset: ${flag} must be a positive integer (got ${value})`);
  return n;
}

export function registerDataset(program: Command): void {
  program.command('dataset')
    .description('convert images (a folder, a zip, or an MNIST-style *-images-idx3-ubyte[.gz] file) into the official dataset format: PNGs in a folder or stored zip, plus dataset.json labels')
    .requiredOption('--source <path>', 'folder, zip, or IDX images file to read')
    .requiredOption('--dest <path>', 'output folder, or a path ending in .zip')
    .requiredOption('--resolution <n>', 'output width and height in pixels')
    .option('--channels <n>', '1 (grayscale) or 3 (RGB); default: as the first source image')
    .option('--max-images <n>', 'convert only the first N images')
    .option('--transform <mode>', 'center-crop: crop non-square images to their central square before resizing')
    .action((opts: { source: string; dest: string; resolution: string; channels?: string; maxImages?: string; transform?: string }) => {
      const resolution = positiveInt('--resolution', opts.resolution)!;
      const channels = positiveInt('--channels', opts.channels);
      if (channels !== undefined && channels !== 1 && channels !== 3) throw new UsageError(`sg3 dataset: --channels must be 1 or 3 (got ${opts.channels})`);
      if (opts.transform !== undefined && opts.transform !== 'center-crop') {
        throw new UsageError(`sg3 dataset: --transform must be center-crop (got ${opts.transform})`);
      }
      const result = convertDataset({
        source: opts.source, dest: opts.dest, resolution,
        channels: channels as 1 | 3 | undefined,
        maxImages: positiveInt('--max-images', opts.maxImages) ?? null,
        transform: opts.transform === 'center-crop' ? 'center-crop' : null,
      });
      process.stdout.write(`sg3 dataset: wrote ${result.images} images (${resolution}x${resolution}, ${result.channels} channel(s), labels: ${result.labeled ? 'yes' : 'no'}) to ${result.dest}\n`);
    });
}
