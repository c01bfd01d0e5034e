/**
 * ResolvedConfig -> YAML, keys in schema order, short lists of scalars in flow style. Used by
 * `sg3 validate --print` and for the config a run directory records; loading the text back gives
 * the same config (tested).
 */
import { Document, isScalar, isSeq, visit } from 'yaml';
import type { ResolvedConfig } from './types.ts';
import { CONFIG_SCHEMA, deref, type JsonSchema } from './schema.ts';
import { isPlainObject } from './paths.ts';

function inSchemaOrder(value: unknown, schema: JsonSchema | undefined): unknown {
  const props = schema ? deref(schema).properties : undefined;
  if (!isPlainObject(value) || !props) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(props)) if (key in value) out[key] = inSchemaOrder(value[key], props[key]);
  for (const key of Object.keys(value)) if (!(key in out)) out[key] = value[key];
  return out;
}

export function configToYaml(config: ResolvedConfig): string {
  const doc = new Document(inSchemaOrder(config, CONFIG_SCHEMA));
  visit(doc, {
    Seq(_, node) {
      if (isSeq(node) && node.items.every((item) => isScalar(item))) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0 });
}
