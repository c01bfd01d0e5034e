/**
 * The Inception weight file: safetensors, one `<conv>.weight` [out, in, kh, kw] (OIHW, BatchNorm
 * folded in) and `<conv>.bias` [out] per conv of `planInception()`, metadata `format` =
 * `sg3-inception-fid`. `scripts/convert-inception.py` makes it from pytorch-fid's
 * `pt_inception-2015-12-05-6726825d.pth`. sg3 never downloads it: the path comes from the config
 * (`metrics.inception`) or `SG3_INCEPTION`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { RunError } from '../../errors.ts';
import { parseSafetensors, writeSafetensors, type NamedTensor } from '../../io/safetensors.ts';
import { Rng } from '../../io/rng.ts';
import { planInception, type ConvWeightSpec } from './arch.ts';

export const INCEPTION_FORMAT = 'sg3-inception-fid';
export const INCEPTION_HOWTO = 'set metrics.inception in the config or SG3_INCEPTION=/path/to/inception-2015-12-05.safetensors; '
  + 'make that file from pytorch-fid\'s pt_inception-2015-12-05-6726825d.pth with scripts/convert-inception.py (see docs/metrics.md)';

export interface InceptionWeights {
  /** `inception-2015-12-05@<sha256 of the file, 16 hex>`: identifies the network in stats-cache keys. */
  id: string;
  convs: Map<string, { spec: ConvWeightSpec; weight: Float32Array; bias: Float32Array }>;
}

/** The weight file to use: the config value first, then SG3_INCEPTION; a RunError saying how to get one otherwise. */
export function resolveInceptionPath(configPath: string | null | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const path = configPath ?? env.SG3_INCEPTION ?? null;
  if (path === null || path === '') {
    throw new RunError(`metrics.inception: FID/KID need the Inception-v3 weights and sg3 never downloads them (got no path): ${INCEPTION_HOWTO}`);
  }
  const from = configPath ? 'metrics.inception' : 'SG3_INCEPTION';
  if (!existsSync(path)) throw new RunError(`${from}: Inception weight file not found (got ${path}): ${INCEPTION_HOWTO}`);
  return path;
}

/** Reads and checks every conv's tensors against the architecture; all problems are reported in one line. */
export function loadInceptionWeights(path: string): InceptionWeights {
  const bytes = readFileSync(path);
  const file = parseSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
  if (file.metadata.format !== INCEPTION_FORMAT) {
    throw new RunError(`${path}: not an sg3 Inception weight file (got metadata format ${JSON.stringify(file.metadata.format ?? null)}): ${INCEPTION_HOWTO}`);
  }
  const problems: string[] = [];
  const convs: InceptionWeights['convs'] = new Map();
  for (const spec of planInception().convs) {
    const w = file.tensors.get(`${spec.name}.weight`);
    const b = file.tensors.get(`${spec.name}.bias`);
    const bad = (t: NamedTensor | undefined, shape: number[]) => !t || t.dtype !== 'F32' || t.shape.join(',') !== shape.join(',');
    if (bad(w, spec.weight)) problems.push(`${spec.name}.weight ${w ? `${w.dtype} [${w.shape}]` : 'missing'} (want F32 [${spec.weight}])`);
    if (bad(b, spec.bias)) problems.push(`${spec.name}.bias ${b ? `${b.dtype} [${b.shape}]` : 'missing'} (want F32 [${spec.bias}])`);
    if (w && b) convs.set(spec.name, { spec, weight: w.data as Float32Array, bias: b.data as Float32Array });
  }
  if (problems.length > 0) {
    throw new RunError(`${path}: ${problems.length} Inception tensors do not match the architecture (got ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? '; ...' : ''})`);
  }
  const id = `inception-2015-12-05@${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`;
  return { id, convs };
}

/**
 * Writes a weight file with the exact key names and shapes but random values (He-scaled uniform
 * weights, small biases), for tests and smoke runs without the real weights. Its features mean
 * nothing; the metadata says so (`random_seed`).
 */
export function writeRandomInceptionWeights(path: string, seed: number): void {
  const rng = new Rng(seed);
  const tensors: Record<string, NamedTensor> = {};
  for (const spec of planInception().convs) {
    const [out, inC, kh, kw] = spec.weight;
    const fanIn = inC * kh * kw;
    const limit = Math.sqrt(3) * Math.sqrt(2 / fanIn); // uniform with the He variance 2 / fan_in
    const weight = new Float32Array(out * fanIn);
    for (let i = 0; i < weight.length; i++) weight[i] = (rng.nextU32() / 2 ** 31 - 1) * limit;
    const bias = new Float32Array(out);
    for (let i = 0; i < out; i++) bias[i] = (rng.nextU32() / 2 ** 31 - 1) * 0.1;
    tensors[`${spec.name}.weight`] = { dtype: 'F32', shape: spec.weight, data: weight };
    tensors[`${spec.name}.bias`] = { dtype: 'F32', shape: spec.bias, data: bias };
  }
  writeSafetensors(path, tensors, { format: INCEPTION_FORMAT, random_seed: String(seed) });
}
