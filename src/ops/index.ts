/**
 * ops/: differentiable tensor ops on tfjs, NHWC activations, official semantics (layout.ts has the
 * conventions). Each fast op has its slow reference next to it (`*Ref`) for parity tests.
 */
export { nchwToNhwc, nhwcToNchw, oihwToHwio, parsePadding, type Padding, type Scaling } from './layout.ts';
export { filterSize, type FirFilter, type UpFirDnOptions } from './fir.ts';
export { upfirdn2d, upfirdn2dRef, setupFilter, filter2d, upsample2d, downsample2d, type SetupFilterOptions, type ResampleOptions } from './upfirdn2d.ts';
export { biasAct, ACTIVATION_NAMES, type Activation, type BiasActOptions } from './bias-act.ts';
export { filteredLrelu, filteredLreluRef, type FilteredLreluOptions } from './filtered-lrelu.ts';
export { conv2dResample, type Conv2dResampleOptions } from './conv2d-resample.ts';
export { modulatedConv2d, modulatedConv2dSG2, type ModulatedConvOptions, type ModulatedConvSG2Options } from './modulated-conv.ts';
export { fourierFeatures, type FourierFeaturesInputs, type FourierFeaturesOptions } from './fourier-features.ts';
