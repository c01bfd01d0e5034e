/** data/: datasets by name (procedural, folder, zip, fashion-mnist), the batch loader, `sg3 dataset`. */
export type { ImageDataset, DatasetItem } from './types.ts';
export { openDataset, limitDataset, datasetKinds, DATASETS } from './registry.ts';
export { createLoader, flipX, type Loader, type LoaderOptions, type LoaderState, type Batch } from './loader.ts';
export { renderProcedural, openProcedural } from './procedural.ts';
export { openFashionMnist, DEFAULT_FASHION_MNIST_DIR } from './fashion-mnist.ts';
export { convertDataset, type ConvertOptions, type ConvertResult } from './convert.ts';
export { resizeLanczos } from './resize.ts';
