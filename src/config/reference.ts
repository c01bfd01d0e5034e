/**
 * docs/config-reference.md, generated from the schema: every key with its type, default, allowed
 * values and description. `npm run docs` writes it; a test fails when the committed copy is stale.
 */
import { CONFIG_SCHEMA, LANGUAGE_KEYS, deref, fillDefaults, type JsonSchema } from './schema.ts';
import { getAt } from './paths.ts';

interface Row { key: string; type: string; def: string; allowed: string; description: string }

function typeOf(s: JsonSchema): string {
  if (s.enum) return [...new Set(s.enum.map((v) => (v === null ? 'null' : typeof v === 'number' && Number.isInteger(v) ? 'integer' : typeof v)))].join(' or ');
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  const item = s.prefixItems?.[0] ?? (s.items && typeof s.items === 'object' ? s.items : undefined);
  return types.map((t) => (t === 'object' ? 'mapping' : t === 'array' ? `list of ${item ? typeOf(item) : 'number'}` : t)).join(' or ');
}

function allowedOf(s: JsonSchema): string {
  const parts: string[] = [];
  if (s.enum) parts.push(s.enum.map((v) => `\`${String(v)}\``).join(', '));
  if (s.minimum !== undefined) parts.push(`>= ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) parts.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined) parts.push(`<= ${s.maximum}`);
  if (s.exclusiveMaximum !== undefined) parts.push(`< ${s.exclusiveMaximum}`);
  if (s.minLength !== undefined) parts.push('non-empty');
  if (s.pattern !== undefined) parts.push(`matches \`${s.pattern}\``);
  if (s.prefixItems) parts.push(`exactly ${s.prefixItems.length} items, each ${allowedOf(s.prefixItems[0])}`);
  if (s.items && typeof s.items === 'object' && s.items.pattern) parts.push(`items match \`${s.items.pattern}\``);
  if (s.uniqueItems) parts.push('no repeats');
  return parts.join(', ');
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function rowsOf(schema: JsonSchema, prefix: string[], defaults: unknown, required: string[] = []): Row[] {
  const rows: Row[] = [];
  for (const [key, raw] of Object.entries(deref(schema).properties ?? {})) {
    const s = deref(raw);
    const path = [...prefix, key];
    const def = getAt(defaults, path);
    const isSection = s.properties !== undefined && s.type === 'object';
    rows.push({
      key: `\`${path.join('.')}\``,
      type: typeOf(s),
      def: required.includes(key) ? 'required' : isSection ? '' : `\`${JSON.stringify(def.has ? def.value : s.default)}\``,
      allowed: allowedOf(s),
      description: s.description ?? '',
    });
    if (s.properties && !(prefix.length === 0 && (LANGUAGE_KEYS as readonly string[]).includes(key))) {
      rows.push(...rowsOf(s, path, defaults, s.required ?? []));
    }
  }
  return rows;
}

export function renderConfigReference(schema: JsonSchema = CONFIG_SCHEMA): string {
  const defaults = fillDefaults({}, schema);
  const out: string[] = [
    '# Config reference',
    '',
    '<!-- Generated from schema/config.schema.json by `npm run docs` (scripts/gen-config-reference.ts). Do not edit. -->',
    '',
    schema.description ?? '',
    '',
    'Language keys: `extends` and `profiles` are consumed while a config is resolved (see docs/configs.md);',
    'every other key below appears in the resolved config (`sg3 validate --print`).',
    '',
  ];
  const top = Object.entries(deref(schema).properties ?? {});
  const sections = top.filter(([, s]) => deref(s).properties !== undefined && deref(s).type === 'object');
  const plain = top.filter(([k]) => !sections.some(([sk]) => sk === k));
  const table = (rows: Row[]): string[] => [
    '| key | type | default | allowed | description |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${cell(r.key)} | ${cell(r.type)} | ${cell(r.def)} | ${cell(r.allowed)} | ${cell(r.description)} |`),
    '',
  ];
  out.push('## Top level', '', ...table(rowsOf({ properties: Object.fromEntries(plain) }, [], defaults)));
  for (const [key, s] of sections) {
    out.push(`## \`${key}\``, '', deref(s).description ?? '', '', ...table(rowsOf(s, [key], defaults, deref(s).required ?? [])));
  }
  return `${out.join('\n').trimEnd()}\n`;
}
