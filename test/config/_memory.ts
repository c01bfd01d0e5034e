import { resolve } from 'node:path';
import type { ReadText } from '../../src/config/index.ts';

/** A ReadText over in-memory files, keyed by absolute path (e.g. '/v/a.yaml'). */
export function memoryFiles(files: Record<string, string>): ReadText {
  return (abs) => {
    const text = files[resolve(abs)];
    return text === undefined ? { error: 'file not found' } : { text };
  };
}
