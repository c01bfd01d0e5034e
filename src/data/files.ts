/**
 * Where dataset files come from: a folder (walked recursively) or a zip archive. Names are
 * relative, '/'-separated, as the official ImageFolderDataset and dataset.json use them.
 */
import { closeSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { RunError } from '../errors.ts';
import { ZipReader } from './zip.ts';

export interface FileSource {
  readonly path: string;
  readonly kind: 'folder' | 'zip';
  names(): string[];
  has(name: string): boolean;
  read(name: string): Uint8Array;
  close(): void;
}

export function openFolder(path: string): FileSource {
  let stat;
  try { stat = statSync(path); } catch { throw new RunError(`${path}: no such folder`); }
  if (!stat.isDirectory()) throw new RunError(`${path}: not a folder (got a file)`);
  const names: string[] = [];
  const walk = (dir: string): void => {
    for (const ent of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, ent.name);
      if (ent.isDirectory()) walk(full);
      else if (ent.isFile() || (ent.isSymbolicLink() && statSync(full).isFile())) names.push(relative(path, full).split(sep).join('/'));
    }
  };
  walk(path);
  const set = new Set(names);
  return {
    path, kind: 'folder',
    names: () => names,
    has: (name) => set.has(name),
    read: (name) => readFileSync(join(path, ...name.split('/'))),
    close: () => {},
  };
}

export function openZip(path: string): FileSource {
  const zip = new ZipReader(path);
  return {
    path, kind: 'zip',
    names: () => zip.names(),
    has: (name) => zip.has(name),
    read: (name) => zip.read(name),
    close: () => zip.close(),
  };
}

/** A folder or a zip, decided by what is on disk (a zip is recognised by its signature). */
export function openFileSource(path: string): FileSource {
  let stat;
  try { stat = statSync(path); } catch { throw new RunError(`${path}: no such file or folder`); }
  if (stat.isDirectory()) return openFolder(path);
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(4);
  try { readSync(fd, head, 0, 4, 0); } finally { closeSync(fd); }
  if (head.readUInt32LE(0) !== 0x04034b50 && head.readUInt32LE(0) !== 0x06054b50) {
    throw new RunError(`${path}: not a folder or a zip archive`);
  }
  return openZip(path);
}
