/**
 * YAML file -> ResolvedConfig: follow the `extends:` chain, check every file as written, merge the
 * chain, the selected profile and the `--set` overrides (in that order), fill the schema defaults,
 * check the merged config against the schema and the cross-field rules. Every error is one line
 * `file:line:col: dotted.path: what (got value)` pointing at the file (or flag) that set the value.
 */
import { basename, dirname, extname, isAbsolute, relative, resolve as resolvePath } from 'node:path';
import { parseDocument } from 'yaml';
import type { ResolvedConfig } from './types.ts';
import { deepMerge, formatPath, formatValue, getAt, isPlainObject, nest, type Path } from './paths.ts';
import { LANGUAGE_KEYS, fillDefaults } from './schema.ts';
import { checkSchema, type Issue } from './schema-check.ts';
import { checkRules } from './rules.ts';
import { parseYamlWithPositions, type Pos } from './yaml-source.ts';
import { readTextFile, type ReadText } from './read.ts';
import { closest } from './suggest.ts';

export interface ConfigOptions {
  /** `a.b.c=value` overrides; values are YAML scalars (or flow lists), checked against the schema. */
  set?: string[];
  /** A name from the `profiles:` maps of the file and the files it extends. */
  profile?: string | null;
}

export interface Resolution {
  /** The resolved config; null when there are errors. */
  config: ResolvedConfig | null;
  /** Every error found, one line each. */
  errors: string[];
  /** Profile names available to this file (its own and inherited), in order of appearance. */
  profiles: string[];
  /** Where the value at `path` of the resolved config was set: `file:line:col`, `--set k=v`, or the file (a default). */
  locate: (path: Path) => string;
}

/** One source of values: a file body, a profile block in a file, or one --set flag. */
interface Layer {
  file: string | null;                 // display path; null for --set
  label: string;                       // where to point without a position
  value: Record<string, unknown>;      // what the layer contributes to the merge
  positions: Map<string, Pos>;
  prefix: Path;                        // where `value` sits in its file (profiles.NAME)
}

interface LoadedFile { abs: string; display: string; value: Record<string, unknown>; positions: Map<string, Pos> }

/** Paths relative to the working directory when inside it, so errors read like the command line. */
export function displayPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

function whereIn(layer: Layer, path: Path): string {
  if (layer.file === null) return layer.label;
  for (let n = path.length; n >= 0; n--) {
    const pos = layer.positions.get(formatPath([...layer.prefix, ...path.slice(0, n)]));
    if (pos) return `${layer.file}:${pos.line}:${pos.col}`;
  }
  return `${layer.file}:1:1`;
}

const line = (where: string, path: Path, message: string): string =>
  path.length === 0 ? `${where}: ${message}` : `${where}: ${formatPath(path)}: ${message}`;

/** Read the file and its ancestors, child first; stops at the first file that cannot be used. */
function loadChain(top: string, read: ReadText, errors: string[]): LoadedFile[] {
  const chain: LoadedFile[] = [];
  let abs = top;
  let from: { file: LoadedFile; written: string } | null = null;
  for (;;) {
    const display = displayPath(abs);
    const at = from ? whereIn(fileLayer(from.file), ['extends']) : display;
    const got = from ? ` (got ${formatValue(from.written)})` : '';
    const seen = chain.findIndex((f) => f.abs === abs);
    if (seen >= 0) {
      const cycle = [...chain.slice(seen).map((f) => f.display), display];
      errors.push(`${at}: extends: creates a cycle ${cycle.join(' -> ')}${got}`);
      return chain;
    }
    const text = read(abs);
    if ('error' in text) { errors.push(from ? `${at}: extends: ${text.error}${got}` : `${at}: ${text.error}`); return chain; }
    const parsed = parseYamlWithPositions(text.text);
    if (parsed.errors.length > 0) {
      // Keep the first error at each position: the parser's follow-ups there are echoes of it.
      const where = parsed.errors.map((e) => `${display}:${e.pos.line}:${e.pos.col}`);
      parsed.errors.forEach((e, n) => { if (where.indexOf(where[n]) === n) errors.push(`${where[n]}: invalid YAML: ${e.message}`); });
      return chain;
    }
    const value = parsed.value ?? {};
    if (!isPlainObject(value)) {
      errors.push(`${display}:1:1: must be a mapping of config keys (got ${formatValue(value)})`);
      return chain;
    }
    const file: LoadedFile = { abs, display, value, positions: parsed.positions };
    chain.push(file);
    if (typeof value.extends !== 'string' || value.extends === '') return chain;  // absent, null, or a type error reported later
    from = { file, written: value.extends };
    abs = resolvePath(dirname(abs), value.extends);
  }
}

function fileLayer(f: LoadedFile, value: Record<string, unknown> = f.value, prefix: Path = []): Layer {
  return { file: f.display, label: f.display, value, positions: f.positions, prefix };
}

/** The file as written: schema (without `required`), plus no language keys inside profiles. */
function checkFile(f: LoadedFile): string[] {
  const issues: Issue[] = checkSchema(f.value, true);
  const profiles = isPlainObject(f.value.profiles) ? f.value.profiles : {};
  for (const [name, block] of Object.entries(profiles)) {
    for (const key of LANGUAGE_KEYS) {
      if (isPlainObject(block) && key in block) issues.push({ path: ['profiles', name, key], message: 'not allowed inside a profile' });
    }
  }
  const layer = fileLayer(f);
  const located = issues.map((i) => ({ where: whereIn(layer, i.path), text: line(whereIn(layer, i.path), i.path, i.message) }));
  return located.sort((a, b) => comparePositions(a.where, b.where)).map((l) => l.text);
}

function comparePositions(a: string, b: string): number {
  const pa = a.match(/:(\d+):(\d+)$/)?.slice(1).map(Number) ?? [0, 0];
  const pb = b.match(/:(\d+):(\d+)$/)?.slice(1).map(Number) ?? [0, 0];
  return pa[0] - pb[0] || pa[1] - pb[1];
}

function without(value: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
}

/** `name`, `description` and `paper` describe one file: only the top file's count. */
const PER_FILE_KEYS = ['name', 'description', 'paper'] as const;

function bodyLayers(files: LoadedFile[]): Layer[] {
  return files.map((f, i) => {
    const drop = i === files.length - 1 ? LANGUAGE_KEYS : [...LANGUAGE_KEYS, ...PER_FILE_KEYS];
    return fileLayer(f, without(f.value, drop));
  });
}

function profileNames(files: LoadedFile[]): string[] {
  const names: string[] = [];
  for (const f of files) {
    if (isPlainObject(f.value.profiles)) for (const n of Object.keys(f.value.profiles)) if (!names.includes(n)) names.push(n);
  }
  return names;
}

function profileLayers(files: LoadedFile[], name: string): Layer[] {
  return files.flatMap((f) => {
    const block = isPlainObject(f.value.profiles) ? f.value.profiles[name] : undefined;
    return isPlainObject(block) ? [fileLayer(f, without(block, LANGUAGE_KEYS), ['profiles', name])] : [];
  });
}

/** One `--set a.b=value` as a layer, or its error line. */
function setLayer(raw: string): Layer | string {
  const label = `--set ${raw}`;
  const eq = raw.indexOf('=');
  if (eq <= 0) return `${label}: must be key=value (got ${formatValue(raw)})`;
  const key = raw.slice(0, eq);
  const segs = key.split('.');
  if (segs.some((s) => !/^[A-Za-z0-9_-]+$/.test(s))) return `${label}: must be a dotted key like train.batch (got ${formatValue(key)})`;
  if ((LANGUAGE_KEYS as readonly string[]).includes(segs[0])) return `${label}: ${segs[0]}: cannot be set with --set`;
  const doc = parseDocument(raw.slice(eq + 1));
  if (doc.errors.length > 0) return `${label}: ${key}: invalid YAML value: ${doc.errors[0].message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`;
  return { file: null, label, value: nest(segs, doc.toJS()), positions: new Map(), prefix: [] };
}

function defaultName(top: string): string {
  return basename(top, extname(top)).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'config';
}

export function resolveConfigWithSources(file: string, opts: ConfigOptions = {}, read: ReadText = readTextFile): Resolution {
  const top = resolvePath(file);
  const errors: string[] = [];
  const files = loadChain(top, read, errors).reverse();     // root ancestor first = merge order
  for (const f of files) errors.push(...checkFile(f));
  const profiles = profileNames(files);
  const layers = bodyLayers(files);
  if (opts.profile != null) {
    if (!profiles.includes(opts.profile)) errors.push(unknownProfile(opts.profile, profiles));
    else layers.push(...profileLayers(files, opts.profile));
  }
  for (const raw of opts.set ?? []) {
    const layer = setLayer(raw);
    if (typeof layer === 'string') { errors.push(layer); continue; }
    errors.push(...checkSchema(layer.value, true).map((i) => line(layer.label, i.path, i.message)));
    layers.push(layer);
  }
  // The last layer that set `path` (-1: a schema default).
  const setBy = (path: Path): number => {
    for (let n = layers.length - 1; n >= 0; n--) if (getAt(layers[n].value, path).has) return n;
    return -1;
  };
  const locate = (path: Path): string => (setBy(path) >= 0 ? whereIn(layers[setBy(path)], path) : displayPath(top));
  const result = (config: ResolvedConfig | null): Resolution => ({ config, errors, profiles, locate });
  if (errors.length > 0 || files.length === 0) return result(null);

  const merged: Record<string, unknown> = {};
  for (const layer of layers) deepMerge(merged, layer.value);
  fillDefaults(merged);
  if (merged.name === null || merged.name === undefined) merged.name = defaultName(top);
  const issues = checkSchema(merged, false);
  if (issues.length === 0) issues.push(...checkRules(merged as unknown as ResolvedConfig));
  for (const i of issues) {
    // A missing key has no position: point at the mapping that lacks it. A cross-field rule points
    // at whichever of its keys was set last, the likeliest edit to have broken it.
    const candidates = i.message === 'required key is missing' ? [i.path.slice(0, -1)] : [i.path, ...(i.related ?? [])];
    const at = candidates.reduce((best, p) => (setBy(p) > setBy(best) ? p : best));
    errors.push(line(locate(at), i.path, i.message));
  }
  return result(errors.length > 0 ? null : (merged as unknown as ResolvedConfig));
}

function unknownProfile(name: string, profiles: string[]): string {
  if (profiles.length === 0) return `--profile ${name}: unknown profile (this config defines none)`;
  const near = closest(name, profiles);
  return `--profile ${name}: unknown profile (${near ? `did you mean ${near}? ` : ''}valid: ${profiles.join(', ')})`;
}
