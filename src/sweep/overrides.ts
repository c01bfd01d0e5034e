/**
 * Cell overrides as `sg3 run --set key=value` flags: the value written as a one-line YAML flow
 * value that parses back to the same data, plain where that is unambiguous (`kaiser`, `[a, b]`),
 * so the command lines in logs, run.json and the Slurm script read like what a person would type.
 */
import { createHash } from 'node:crypto';
import { isPlainObject } from '../config/paths.ts';
import type { ResolvedConfig } from '../config/index.ts';

/** Words YAML 1.2 (core schema) or YAML 1.1 readers would not read as plain strings. */
const RESERVED = /^(true|false|null|yes|no|on|off|y|n|~|\.nan|\.inf|-\.inf)$/i;
const PLAIN = /^[A-Za-z_][A-Za-z0-9_.@/-]*$/;

/** `value` as a YAML flow value: numbers, booleans and null as is, safe strings plain, else JSON. */
export function yamlFlow(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`yamlFlow: cannot write a non-finite number (got ${value})`);
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return PLAIN.test(value) && !RESERVED.test(value) ? value : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(yamlFlow).join(', ')}]`;
  if (isPlainObject(value)) {
    return `{${Object.entries(value).map(([k, v]) => `${PLAIN.test(k) && !RESERVED.test(k) ? k : JSON.stringify(k)}: ${yamlFlow(v)}`).join(', ')}}`;
  }
  throw new Error(`yamlFlow: unsupported value (got ${typeof value})`);
}

/** `key=value` as `--set` takes it. */
export function setArg(key: string, value: unknown): string {
  return `${key}=${yamlFlow(value)}`;
}

/** JSON with sorted keys: the same data always gives the same text (and hash). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * Keys that do not change a run's numbers, left out of a cell's identity: where it runs
 * (`runtime`: backend, runs dir) and what describes the file (`description`, `paper`).
 */
export const IDENTITY_EXCLUDED = ['runtime', 'description', 'paper'] as const;

export function identityOf(config: ResolvedConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(config as unknown as Record<string, unknown>) };
  for (const key of IDENTITY_EXCLUDED) delete out[key];
  return out;
}

/** The content-addressed id of a cell: the first 10 hex digits of sha256(its resolved config). */
export function cellId(config: ResolvedConfig): string {
  return createHash('sha256').update(canonicalJson(identityOf(config))).digest('hex').slice(0, 10);
}

/** Every leaf `path -> value` of a config, for "what changed" messages. */
export function flattenLeaves(value: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) {
      for (const [p, leaf] of flattenLeaves(v, prefix ? `${prefix}.${k}` : k)) out.set(p, leaf);
    }
  } else {
    out.set(prefix, value);
  }
  return out;
}

/** `a.b: 1 -> 2` for each leaf that differs, in order; at most `limit`, then "and N more". */
export function describeChanges(before: unknown, after: unknown, limit = 4): string {
  const a = flattenLeaves(before);
  const b = flattenLeaves(after);
  const keys = [...new Set([...a.keys(), ...b.keys()])];
  const changed = keys.filter((k) => canonicalJson(a.get(k)) !== canonicalJson(b.get(k)));
  const shown = changed.slice(0, limit).map((k) => `${k}: ${show(a.get(k))} -> ${show(b.get(k))}`);
  if (changed.length > limit) shown.push(`and ${changed.length - limit} more`);
  return shown.join(', ');
}

function show(v: unknown): string {
  return v === undefined ? '(unset)' : yamlFlow(v);
}
