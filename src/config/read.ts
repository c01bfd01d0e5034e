/**
 * The one place config/ touches the disk: reading a config file's text. Everything else in
 * config/ is pure and takes a ReadText, so tests can resolve configs from memory.
 */
import { readFileSync } from 'node:fs';

/** The file's text, or why it could not be read ("file not found", "cannot read (EISDIR)"). */
export type ReadText = (absPath: string) => { text: string } | { error: string };

export const readTextFile: ReadText = (absPath) => {
  try {
    return { text: readFileSync(absPath, 'utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { error: 'file not found' };
    return { error: `cannot read (${code ?? (e as Error).message})` };
  }
};
