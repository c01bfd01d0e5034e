/**
 * safetensors: an 8-byte little-endian header length N, N bytes of JSON header
 * (`name -> {dtype, shape, data_offsets}` plus optional `__metadata__`), then raw little-endian data.
 * Plain typed arrays in and out: nothing here knows about tfjs, so config-free tools can use it.
 */
import { readFileSync } from 'node:fs';
import { RunError } from '../errors.ts';
import { writeFileAtomic } from './atomic.ts';

export type DType = 'F32' | 'F64' | 'I32' | 'I64' | 'U8';

export interface NamedTensor {
  dtype: DType;
  shape: number[];
  data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;
}

export interface SafetensorsFile {
  tensors: Map<string, NamedTensor>;
  metadata: Record<string, string>;
}

const BYTES: Record<DType, number> = { F32: 4, F64: 8, I32: 4, I64: 8, U8: 1 };

function typedView(dtype: DType, bytes: Uint8Array): NamedTensor['data'] {
  // Copy into a fresh, aligned buffer: the header length makes the data offset arbitrary.
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  switch (dtype) {
    case 'F32': return new Float32Array(copy.buffer);
    case 'F64': return new Float64Array(copy.buffer);
    case 'I32': return new Int32Array(copy.buffer);
    case 'I64': return new BigInt64Array(copy.buffer);
    case 'U8': return copy;
  }
}

/** Parses a safetensors buffer; `where` names the source in error messages. */
export function parseSafetensors(buf: Uint8Array, where = 'safetensors'): SafetensorsFile {
  if (buf.length < 8) throw new RunError(`${where}: not a safetensors file (only ${buf.length} bytes)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > buf.length - 8) {
    throw new RunError(`${where}: header length ${headerLen} exceeds file size ${buf.length}`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(buf.subarray(8, 8 + headerLen)));
  } catch (e) {
    throw new RunError(`${where}: header is not valid JSON (${(e as Error).message})`);
  }
  const dataStart = 8 + headerLen;
  const tensors = new Map<string, NamedTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = (entry ?? {}) as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets } = entry as { dtype: DType; shape: number[]; data_offsets: [number, number] };
    if (!(dtype in BYTES)) throw new RunError(`${where}: tensor ${name}: unsupported dtype ${dtype}`);
    const [begin, end] = data_offsets;
    const count = shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * BYTES[dtype] || dataStart + end > buf.length) {
      throw new RunError(`${where}: tensor ${name}: data_offsets [${begin}, ${end}] do not match shape [${shape}] ${dtype}`);
    }
    tensors.set(name, { dtype, shape, data: typedView(dtype, buf.subarray(dataStart + begin, dataStart + end)) });
  }
  return { tensors, metadata };
}

export function readSafetensors(path: string): SafetensorsFile {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new RunError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), path);
}

/** Serialises tensors in insertion order; the header is space-padded to a multiple of 8 bytes. */
export function serializeSafetensors(tensors: Map<string, NamedTensor> | Record<string, NamedTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== count) throw new Error(`serializeSafetensors: tensor ${name}: ${t.data.length} values for shape [${t.shape}]`);
    const size = count * BYTES[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  const pad = (8 - (Buffer.byteLength(json) % 8)) % 8;
  json += ' '.repeat(pad);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const [, t] of entries) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    out.set(bytes, pos);
    pos += bytes.length;
  }
  return out;
}

/** Writes atomically: a crash never leaves a half-written weight file under the final name. */
export function writeSafetensors(path: string, tensors: Map<string, NamedTensor> | Record<string, NamedTensor>, metadata: Record<string, string> = {}): void {
  writeFileAtomic(path, serializeSafetensors(tensors, metadata));
}

/** Convenience: an F32 tensor by name, or a RunError naming the file and the key. */
export function getF32(file: SafetensorsFile, name: string, where = 'safetensors'): { shape: number[]; data: Float32Array } {
  const t = file.tensors.get(name);
  if (!t) throw new RunError(`${where}: no tensor named "${name}" (has: ${[...file.tensors.keys()].slice(0, 12).join(', ')}${file.tensors.size > 12 ? ', ...' : ''})`);
  if (t.dtype !== 'F32') throw new RunError(`${where}: tensor "${name}" is ${t.dtype}, expected F32`);
  return { shape: t.shape, data: t.data as Float32Array };
}
