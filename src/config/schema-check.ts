/**
 * Validation against the JSON Schema with ajv (2020-12, strict, allErrors), turned into
 * `path: message (got value)` issues. Unknown keys get a "did you mean" from the schema.
 */
// The named export: under NodeNext the default import of this CommonJS module is typed as the namespace.
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { CONFIG_SCHEMA, allKeyPaths, partialSchema, schemaAt } from './schema.ts';
import { formatPath, formatValue, getAt, type Path } from './paths.ts';
import { closest } from './suggest.ts';

export interface Issue {
  path: Path;
  message: string;
  /** Other keys the message is about (cross-field rules): the error points at whichever was set last. */
  related?: Path[];
}

function compile(schema: object) {
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  return ajv.compile(schema);
}

const validateFull = compile(CONFIG_SCHEMA);
const validatePartial = compile(partialSchema());

/**
 * Check one value against the schema. `partial`: an overlay (one file, profile or --set) where
 * required keys may live in another layer; the merged config is checked with partial = false.
 */
export function checkSchema(value: unknown, partial: boolean): Issue[] {
  const validate = partial ? validatePartial : validateFull;
  if (validate(value)) return [];
  const errors = validate.errors ?? [];
  const issues = errors.map((e) => toIssue(e, value));
  // A wrong type makes every other complaint about the same value noise (e.g. enum after type).
  const typeErrorAt = new Set(issues.filter((_, n) => errors[n].keyword === 'type').map((i) => formatPath(i.path)));
  return dedupe(issues.filter((i, n) => errors[n].keyword === 'type' || !typeErrorAt.has(formatPath(i.path))));
}

function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${formatPath(i.path)}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function pathOf(instancePath: string): Path {
  if (instancePath === '') return [];
  return instancePath.slice(1).split('/').map((raw) => {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^\d+$/.test(seg) ? Number(seg) : seg;
  });
}

const TYPE_WORDS: Record<string, string> = { object: 'a mapping', array: 'a list' };

function toIssue(e: ErrorObject, root: unknown): Issue {
  const path = pathOf(e.instancePath);
  const got = ` (got ${formatValue(getAt(root, path).value)})`;
  const p = e.params as Record<string, any>;
  switch (e.keyword) {
    case 'additionalProperties':
      return { path: [...path, p.additionalProperty], message: unknownKey(path, String(p.additionalProperty)) };
    case 'required':
      return { path: [...path, p.missingProperty], message: 'required key is missing' };
    case 'type': {
      const types = String(p.type).split(',').map((t) => TYPE_WORDS[t] ?? t);
      return { path, message: `must be ${types.join(' or ')}${got}` };
    }
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map((v) => String(v));
      return { path, message: `must be ${allowed.length === 1 ? '' : 'one of '}${allowed.join(', ')}${got}` };
    }
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
      return { path, message: `must be ${p.comparison} ${p.limit}${got}` };
    case 'minItems':
      return { path, message: `must have at least ${p.limit} items${got}` };
    case 'items': case 'maxItems':
      return { path, message: `must have at most ${p.limit} items${got}` };
    case 'minLength':
      return { path, message: `must not be empty${got}` };
    case 'pattern':
      return { path, message: `must match ${p.pattern}${got}` };
    case 'uniqueItems':
      return { path, message: `must not repeat an item${got}` };
    default:
      return { path, message: `${e.message ?? e.keyword}${got}` };
  }
}

/** "unknown key (did you mean generator.z_dim?)", else the keys that are valid there. */
export function unknownKey(parent: Path, key: string): string {
  const siblings = Object.keys(schemaAt(parent)?.properties ?? {});
  const near = closest(key, siblings);
  if (near !== null) return `unknown key (did you mean ${formatPath([...parent, near])}?)`;
  // The right key in the wrong section, e.g. generator.r1_gamma -> loss.r1_gamma (inside a profile too).
  const prefix = parent[0] === 'profiles' && parent.length >= 2 ? parent.slice(0, 2) : [];
  const elsewhere = allKeyPaths().filter((p) => p[p.length - 1] === key).map((p) => formatPath([...prefix, ...p]));
  if (elsewhere.length > 0) return `unknown key (did you mean ${elsewhere.join(' or ')}?)`;
  return siblings.length > 0 ? `unknown key (valid keys: ${siblings.join(', ')})` : 'unknown key';
}
