/** Paths into a config value, and the small pure helpers on them that every config module shares. */

export type Path = Array<string | number>;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `generator.filter.size`, `metrics.names[1]`; the empty path is the whole file. */
export function formatPath(path: Path): string {
  if (path.length === 0) return '(top level)';
  return path.map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? seg : `.${seg}`)).join('');
}

/** The value at `path`, or undefined; `has` tells a present null from a missing key. */
export function getAt(value: unknown, path: Path): { has: boolean; value: unknown } {
  let node = value;
  for (const seg of path) {
    if (typeof seg === 'number' ? !Array.isArray(node) || seg >= node.length : !isPlainObject(node) || !(seg in node)) {
      return { has: false, value: undefined };
    }
    node = (node as any)[seg];
  }
  return { has: true, value: node };
}

/** Deep-merge `src` into `target`: objects merge key by key, everything else (lists too) replaces. */
export function deepMerge(target: Record<string, unknown>, src: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(src)) {
    const current = target[key];
    if (isPlainObject(current) && isPlainObject(value)) deepMerge(current, value);
    else target[key] = structuredClone(value);
  }
  return target;
}

/** `{a: {b: value}}` from `['a', 'b']`. */
export function nest(path: string[], value: unknown): Record<string, unknown> {
  let out: unknown = value;
  for (let i = path.length - 1; i >= 0; i--) out = { [path[i]]: out };
  return out as Record<string, unknown>;
}

/** Display a value in an error: strings quoted, collections as compact JSON, long ones cut. */
export function formatValue(v: unknown): string {
  const text = v === undefined ? 'nothing' : typeof v === 'number' ? String(v) : JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
