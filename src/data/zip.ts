/**
 * A read-only zip reader for dataset archives, reading members on demand (the archive can be far
 * larger than memory): end-of-central-directory (and its ZIP64 form, which Python writes for
 * more than 65535 members), the central directory, then each member's local header and data.
 * Methods: 0 stored, 8 deflate (zlib.inflateRawSync). CRC-32 is checked on every read.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { RunError } from '../errors.ts';
import { crc32 } from './crc32.ts';

export interface ZipEntry {
  name: string;
  method: number;           // 0 stored, 8 deflate
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;      // of the local file header
}

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_LOCATOR64 = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

export class ZipReader {
  readonly path: string;
  readonly entries = new Map<string, ZipEntry>();
  private fd: number | null;

  constructor(path: string) {
    this.path = path;
    try {
      this.fd = openSync(path, 'r');
    } catch (e) {
      throw new RunError(`${path}: cannot open zip (got ${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    try {
      this.readCentralDirectory();
    } catch (e) {
      this.close();
      throw e;
    }
  }

  private bytes(offset: number, length: number): Buffer {
    if (this.fd === null) throw new RunError(`${this.path}: zip is closed`);
    const buf = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const n = readSync(this.fd, buf, got, length - got, offset + got);
      if (n === 0) throw new RunError(`${this.path}: zip is truncated (wanted ${length} bytes at offset ${offset})`);
      got += n;
    }
    return buf;
  }

  private fail(what: string): never {
    throw new RunError(`${this.path}: not a readable zip: ${what}`);
  }

  private readCentralDirectory(): void {
    // 1. Find the EOCD record in the last 64 KiB + 22 bytes (the comment is at most 65535 bytes).
    const fileSize = fstatSync(this.fd!).size;
    const tailLen = Math.min(fileSize, 65535 + 22);
    const tail = this.bytes(fileSize - tailLen, tailLen);
    let at = -1;
    for (let i = tailLen - 22; i >= 0; i--) if (tail.readUInt32LE(i) === SIG_EOCD) { at = i; break; }
    if (at < 0) this.fail('no end-of-central-directory record (got a file without one)');
    let count = tail.readUInt16LE(at + 10);
    let cdSize = tail.readUInt32LE(at + 12);
    let cdOffset = tail.readUInt32LE(at + 16);
    // 2. ZIP64: the locator sits just before the EOCD and points at the ZIP64 EOCD record.
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const eocdPos = fileSize - tailLen + at;
      const loc = this.bytes(eocdPos - 20, 20);
      if (loc.readUInt32LE(0) !== SIG_LOCATOR64) this.fail('ZIP64 locator missing');
      const rec = this.bytes(Number(loc.readBigUInt64LE(8)), 56);
      if (rec.readUInt32LE(0) !== SIG_EOCD64) this.fail('ZIP64 end-of-central-directory record missing');
      count = Number(rec.readBigUInt64LE(32));
      cdSize = Number(rec.readBigUInt64LE(40));
      cdOffset = Number(rec.readBigUInt64LE(48));
    }
    // 3. Walk the central directory.
    const cd = this.bytes(cdOffset, cdSize);
    let p = 0;
    for (let k = 0; k < count; k++) {
      if (cd.readUInt32LE(p) !== SIG_CENTRAL) this.fail(`bad central directory entry ${k}`);
      const flags = cd.readUInt16LE(p + 8);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      const name = cd.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLen);
      const entry: ZipEntry = {
        name,
        method: cd.readUInt16LE(p + 10),
        crc: cd.readUInt32LE(p + 16),
        compressedSize: cd.readUInt32LE(p + 20),
        size: cd.readUInt32LE(p + 24),
        localOffset: cd.readUInt32LE(p + 42),
      };
      if (flags & 1) this.fail(`${name} is encrypted`);
      applyZip64Extra(entry, cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen));
      if (!name.endsWith('/')) this.entries.set(name, entry);
      p += 46 + nameLen + extraLen + commentLen;
    }
  }

  /** Names of the members (directories excluded), in archive order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  read(name: string): Uint8Array {
    const e = this.entries.get(name);
    if (!e) throw new RunError(`${this.path}: no member ${name} in the zip`);
    const local = this.bytes(e.localOffset, 30);
    if (local.readUInt32LE(0) !== SIG_LOCAL) this.fail(`${name}: bad local header`);
    const dataStart = e.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    const raw = this.bytes(dataStart, e.compressedSize);
    let data: Uint8Array;
    if (e.method === 0) data = raw;
    else if (e.method === 8) {
      try { data = inflateRawSync(raw); } catch (err) { this.fail(`${name}: deflate data is corrupt (got ${(err as Error).message})`); }
    } else this.fail(`${name}: compression method ${e.method} is not supported (use stored or deflate)`);
    if (data.length !== e.size || crc32(data) !== e.crc) this.fail(`${name}: CRC or size mismatch, the member is corrupt`);
    return data;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** The ZIP64 extra field (id 1) holds, in order, only the fields whose 32-bit slot is all ones. */
function applyZip64Extra(e: ZipEntry, extra: Buffer): void {
  for (let q = 0; q + 4 <= extra.length;) {
    const id = extra.readUInt16LE(q);
    const len = extra.readUInt16LE(q + 2);
    if (id === 1) {
      let r = q + 4;
      const next = () => { const v = Number(extra.readBigUInt64LE(r)); r += 8; return v; };
      if (e.size === 0xffffffff) e.size = next();
      if (e.compressedSize === 0xffffffff) e.compressedSize = next();
      if (e.localOffset === 0xffffffff) e.localOffset = next();
    }
    q += 4 + len;
  }
}
