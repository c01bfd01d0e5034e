/**
 * The JSON Schema (schema/config.schema.json) as data: walking it by path, filling its defaults,
 * and the list of every key. The schema file is the single source of truth; nothing here restates
 * a default or a range.
 */
import schemaJson from '../../schema/config.schema.json' with { type: 'json' };
import { isPlainObject, type Path } from './paths.ts';

/** The subset of JSON Schema 2020-12 that config.schema.json uses. */
export interface JsonSchema {
  $ref?: string;
  $id?: string;
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  required?: string[];
  items?: boolean | JsonSchema;
  prefixItems?: JsonSchema[];
  minItems?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  pattern?: string;
  uniqueItems?: boolean;
  $defs?: Record<string, JsonSchema>;
  [keyword: string]: unknown;
}

export const CONFIG_SCHEMA = schemaJson as unknown as JsonSchema;

/** Keys of the config language itself: consumed while resolving, absent from a ResolvedConfig. */
export const LANGUAGE_KEYS = ['extends', 'profiles'] as const;

/** Follow a local `$ref` ("#" or "#/$defs/x"); sibling keywords (description, default) win. */
export function deref(schema: JsonSchema, root: JsonSchema = CONFIG_SCHEMA): JsonSchema {
  if (schema.$ref === undefined) return schema;
  const target = schema.$ref === '#'
    ? root
    : schema.$ref.replace(/^#\//, '').split('/').reduce<any>((node, key) => node?.[key], root);
  if (target === undefined) throw new Error(`config schema: unresolved $ref ${schema.$ref}`);
  const { $ref: _ignored, ...siblings } = schema;
  return { ...deref(target as JsonSchema, root), ...siblings };
}

/** The schema of the value at `path`, or null where the schema has no such key. */
export function schemaAt(path: Path, root: JsonSchema = CONFIG_SCHEMA): JsonSchema | null {
  let node: JsonSchema | null = root;
  for (const seg of path) {
    if (node === null) return null;
    const s: JsonSchema = deref(node, root);
    if (typeof seg === 'number') {
      const item = s.prefixItems?.[seg] ?? (typeof s.items === 'object' ? s.items : undefined);
      node = item ?? null;
    } else {
      const prop = s.properties?.[seg] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
      node = prop ?? null;
    }
  }
  return node === null ? null : deref(node, root);
}

/**
 * Fill every missing key with its schema default, recursing into objects. An object-level default
 * (e.g. optim.generator's lr 0.0025) takes precedence over the leaf defaults of a shared $ref.
 * Mutates and returns `value`.
 */
export function fillDefaults(value: unknown, schema: JsonSchema = CONFIG_SCHEMA, inherited?: unknown): unknown {
  const s = deref(schema);
  const fallback = inherited !== undefined ? inherited : s.default;
  let out = value;
  if (out === undefined) {
    if (fallback !== undefined) out = structuredClone(fallback);
    else if (s.properties) out = {};
  }
  if (isPlainObject(out) && s.properties) {
    for (const [key, sub] of Object.entries(s.properties)) {
      if ((LANGUAGE_KEYS as readonly string[]).includes(key) && schema === CONFIG_SCHEMA) continue;
      const filled = fillDefaults(out[key], sub, isPlainObject(fallback) ? fallback[key] : undefined);
      if (filled !== undefined) out[key] = filled;
    }
  }
  return out;
}

/** Every key path of a config (objects and leaves, in schema order), without the language keys. */
export function allKeyPaths(schema: JsonSchema = CONFIG_SCHEMA, prefix: string[] = []): string[][] {
  const s = deref(schema);
  const out: string[][] = [];
  for (const [key, sub] of Object.entries(s.properties ?? {})) {
    if (prefix.length === 0 && (LANGUAGE_KEYS as readonly string[]).includes(key)) continue;
    out.push([...prefix, key]);
    out.push(...allKeyPaths(sub, [...prefix, key]));
  }
  return out;
}

/** The schema for overlays (one file, one profile, one --set): like the full one, minus `required`. */
export function partialSchema(schema: JsonSchema = CONFIG_SCHEMA): JsonSchema {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (!isPlainObject(node)) return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === 'required') continue;
      if (k === 'default' || k === 'enum') { out[k] = v; continue; }
      out[k] = k === '$id' ? String(v).replace(/\.json$/, '.partial.json') : strip(v);
    }
    return out;
  };
  return strip(schema) as JsonSchema;
}
