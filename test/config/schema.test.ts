// The schema is the single source of truth: every key documented, defaulted (or required), the
// defaults valid, and exactly the keys of the ResolvedConfig type.
import test from 'ava';
import { CONFIG_SCHEMA, allKeyPaths, deref, fillDefaults, schemaAt } from '../../src/config/schema.ts';
import { checkSchema } from '../../src/config/schema-check.ts';
import { checkRules } from '../../src/config/rules.ts';
import type { ResolvedConfig } from '../../src/config/types.ts';
import { SHAPE } from './_shape.ts';


function leafPaths(v: unknown, prefix: string[] = []): string[] {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return [prefix.join('.')];
  return Object.entries(v).flatMap(([k, x]) => leafPaths(x, [...prefix, k]));
}
const schemaLeaves = () => allKeyPaths().filter((p) => !deref(schemaAt(p)!).properties).map((p) => p.join('.'));

test('schema keys = ResolvedConfig keys (types.ts matches the schema)', (t) => {
  t.deepEqual(schemaLeaves().sort(), leafPaths(SHAPE).sort());
});

test('every key has a description, and a default unless its parent requires it', (t) => {
  for (const path of allKeyPaths()) {
    const s = schemaAt(path)!;
    t.true((s.description ?? '').length > 10, path.join('.'));
    const parent = deref(schemaAt(path.slice(0, -1))!);
    const required = (parent.required ?? []).includes(path[path.length - 1]);
    const isSection = s.properties !== undefined && s.type === 'object';
    t.true(required || isSection || 'default' in s, `${path.join('.')} has no default`);
  }
});

test('the defaults alone form a valid config (schema and every cross-field rule)', (t) => {
  const defaults = fillDefaults({}) as Record<string, unknown>;
  defaults.name = 'defaults';
  t.deepEqual(checkSchema(defaults, false), []);
  t.deepEqual(checkRules(defaults as unknown as ResolvedConfig), []);
  t.false('extends' in defaults || 'profiles' in defaults);
});

test('a fully specified config is schema-valid and fillDefaults changes nothing in it', (t) => {
  t.deepEqual(checkSchema(SHAPE, false), []);
  t.deepEqual(fillDefaults(structuredClone(SHAPE)), SHAPE);
});

test('object-level defaults win over shared $ref leaf defaults (optim.generator.lr)', (t) => {
  const c = fillDefaults({ optim: { generator: { betas: [0.5, 0.9] } } }) as ResolvedConfig;
  t.deepEqual(c.optim.generator, { lr: 0.0025, betas: [0.5, 0.9], eps: 1e-8 });
  t.is(c.optim.discriminator.lr, 0.002);
});

test('the official StyleGAN3 numbers are stored exactly', (t) => {
  t.is(schemaAt(['generator', 'schedule', 'first_stopband'])!.default, 2 ** 2.1);
  t.is(schemaAt(['generator', 'schedule', 'last_stopband_rel'])!.default, 2 ** 0.3);
});

test('schema is JSON Schema 2020-12 and rejects unknown keys everywhere', (t) => {
  t.is(CONFIG_SCHEMA.$schema, 'https://json-schema.org/draft/2020-12/schema');
  for (const path of [[], ...allKeyPaths()]) {
    const s = deref(schemaAt(path)!);
    if (s.properties) t.is(s.additionalProperties, false, path.join('.') || '(top level)');
  }
});
