/**
 * YAML text -> plain value plus the line:col of every key, so that each error can point at the
 * place in the file that set the value. Uses the `yaml` package's document API and LineCounter.
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import { formatPath, type Path } from './paths.ts';

export interface Pos { line: number; col: number }

export interface ParsedYaml {
  value: unknown;
  /** formatPath(path) -> position of the key (mappings) or of the item (lists). */
  positions: Map<string, Pos>;
  /** Syntax errors; when non-empty, `value` must not be trusted. */
  errors: Array<{ pos: Pos; message: string }>;
}

export function parseYamlWithPositions(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  const errors = doc.errors.map((e) => ({
    pos: e.linePos ? { line: e.linePos[0].line, col: e.linePos[0].col } : { line: 1, col: 1 },
    // The package appends " at line L, column C:" and a code excerpt; the position is ours to print.
    message: e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''),
  }));
  const positions = new Map<string, Pos>();
  const at = (offset: number): Pos => lineCounter.linePos(offset);
  const walk = (node: unknown, path: Path): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const keyNode = pair.key as YamlNode | null;
        if (keyNode?.range) positions.set(formatPath([...path, key]), at(keyNode.range[0]));
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const itemNode = item as YamlNode | null;
        if (itemNode?.range) positions.set(formatPath([...path, i]), at(itemNode.range[0]));
        walk(item, [...path, i]);
      });
    }
  };
  walk(doc.contents, []);
  let value: unknown = null;
  if (errors.length === 0) {
    try {
      value = doc.toJS();
    } catch (e) {
      // e.g. an alias whose anchor is missing: the document API throws instead of listing it.
      const alias = findAlias(doc.contents);
      errors.push({ pos: alias?.range ? at(alias.range[0]) : { line: 1, col: 1 }, message: (e as Error).message });
    }
  }
  return { value, positions, errors };
}

function findAlias(node: unknown): YamlNode | null {
  if (isAlias(node)) return node;
  const children = isMap(node) ? node.items.flatMap((p) => [p.key, p.value]) : isSeq(node) ? node.items : [];
  for (const child of children) {
    const found = findAlias(child);
    if (found) return found;
  }
  return null;
}
