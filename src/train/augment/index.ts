/**
 * train/augment: the ADA augmentation pipeline (Karras et al. 2020) as the official StyleGAN3 code
 * uses it: `AugmentPipe` (presets b, bg, bgc, c), the ADA p controller `adaAdjust`, and the pieces
 * for tests and tools (matrix drawing, geometric and colour execution). Layout NHWC.
 */
export { AugmentPipe, AUGMENT_PIPES, type AugmentParams, type AugmentPipeName, type AugmentPipeOptions } from './pipe.ts';
export { adaAdjust, initialAugmentP } from './ada.ts';
export { AUGMENT_DEFAULTS, drawColor, drawGeometric, type AugmentSpec, type DrawContext } from './params.ts';
export { applyGeometric, geometricMargin, SYM6 } from './geometric.ts';
export { applyColor } from './color.ts';
export { reflectPad, sampleAffine } from './grid-sample.ts';
export type { Mat3, Mat4 } from './matrices.ts';
