/**
 * Content-addressed cache of dataset feature statistics (the official code caches them under
 * ~/.cache/dnnlib/gan-metrics keyed by an md5 of the dataset/detector arguments). Ours lives in a
 * configurable directory (default `runs/.cache/`) and is keyed by the sha256 of a canonical JSON of
 * (dataset identity, feature network id, resolution, item count, what was captured). A file holds a
 * `FeatureStats` (raw float64 sums for mu/sigma, float32 features when captured) plus its key.
 */
import { mkdirSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { parseSafetensors, writeSafetensors } from '../io/safetensors.ts';
import { FeatureStats } from './feature-stats.ts';

export const DEFAULT_CACHE_DIR = join('runs', '.cache');

export interface StatsCacheKey {
  dataset: unknown;          // whatever identifies the images: kind, path, size, mtime, mirror=false ...
  network: string;           // FeatureNetwork.id (includes the weight file hash)
  resolution: number;
  maxItems: number | null;   // null = the whole dataset
  captureAll: boolean;
  captureMeanCov: boolean;
}

/** JSON with object keys sorted at every level, so equal keys always hash equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`canonicalJson: non-finite number (got ${value})`);
    return JSON.stringify(value ?? null);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export class StatsCache {
  constructor(readonly dir: string = DEFAULT_CACHE_DIR) {}

  keyHash(key: StatsCacheKey): string {
    return createHash('sha256').update(canonicalJson(key)).digest('hex');
  }

  pathFor(key: StatsCacheKey): string {
    return join(this.dir, `feature-stats-${this.keyHash(key)}.safetensors`);
  }

  /** The cached stats, or null when absent or when the file was written for another key. */
  load(key: StatsCacheKey): FeatureStats | null {
    const path = this.pathFor(key);
    if (!existsSync(path)) return null;
    const bytes = readFileSync(path);
    const file = parseSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
    if (file.metadata.cache_key !== canonicalJson(key)) return null;
    return FeatureStats.fromTensors(file.tensors, file.metadata, path);
  }

  /** Writes atomically (temp file + rename), so concurrent runs never read a torn file. */
  save(key: StatsCacheKey, stats: FeatureStats): string {
    mkdirSync(this.dir, { recursive: true });
    const path = this.pathFor(key);
    const { tensors, metadata } = stats.toTensors();
    writeSafetensors(path, tensors, { ...metadata, cache_key: canonicalJson(key) });
    return path;
  }
}
