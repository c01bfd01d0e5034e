/** log/: the run logger, TensorBoard event files, PNG image grids, the progress display. */
export { createLogger, closeLogger, type Logger, type LoggerOptions, type LogFormat, type LogLevel } from './logger.ts';
export { EventWriter, writeHParamsExperiment, type EventWriterOptions, type HParamsSession } from './event-writer.ts';
export type { HParamValue, HParamDomain, MetricSpec, SessionStatus } from './hparams.ts';
export { encodePng } from './png.ts';
export { imageGrid, type ImageGrid, type GridOptions } from './images.ts';
export { createProgress, formatProgressLine, formatDuration, type Progress, type ProgressOptions, type ProgressUpdate } from './progress.ts';
export { crc32c, maskedCrc32c } from './crc32c.ts';
