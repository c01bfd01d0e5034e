/**
 * A streaming zip writer for `sg3 dataset`: each member is written as it comes (stored, like the
 * official dataset_tool, or deflated), then the central directory. ZIP64 records are added when
 * there are more than 65535 members or offsets pass 4 GiB, as Python's zipfile does.
 * Timestamps are fixed (1980-01-01) so the same input gives a byte-identical archive.
 */
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { crc32 } from './crc32.ts';

interface Written { name: Buffer; method: number; crc: number; compressedSize: number; size: number; offset: number }

const DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;
const U32_MAX = 0xffffffff;

export class ZipWriter {
  readonly path: string;
  private fd: number | null;
  private offset = 0;
  private readonly written: Written[] = [];

  constructor(path: string) {
    this.path = path;
    this.fd = openSync(path, 'wx');
  }

  add(name: string, data: Uint8Array, options: { deflate?: boolean } = {}): void {
    const method = options.deflate ? 8 : 0;
    const body = method === 8 ? deflateRawSync(data) : data;
    if (body.length >= U32_MAX || data.length >= U32_MAX) throw new Error(`ZipWriter: member ${name} is 4 GiB or larger (got ${data.length} bytes)`);
    const entry: Written = { name: Buffer.from(name, 'utf8'), method, crc: crc32(data), compressedSize: body.length, size: data.length, offset: this.offset };
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);                 // version needed
    h.writeUInt16LE(0x0800, 6);             // flags: UTF-8 names
    h.writeUInt16LE(method, 8);
    h.writeUInt16LE(0, 10);                 // time
    h.writeUInt16LE(DOS_DATE_1980_01_01, 12);
    h.writeUInt32LE(entry.crc, 14);
    h.writeUInt32LE(entry.compressedSize, 18);
    h.writeUInt32LE(entry.size, 22);
    h.writeUInt16LE(entry.name.length, 26);
    h.writeUInt16LE(0, 28);
    this.write(h);
    this.write(entry.name);
    this.write(body);
    this.written.push(entry);
  }

  /** Writes the central directory and closes the file. */
  finish(): void {
    const cdOffset = this.offset;
    for (const e of this.written) this.write(centralEntry(e));
    const cdSize = this.offset - cdOffset;
    const count = this.written.length;
    if (count >= 0xffff || cdOffset >= U32_MAX || cdSize >= U32_MAX) {
      const eocd64Offset = this.offset;
      const r = Buffer.alloc(56);
      r.writeUInt32LE(0x06064b50, 0);
      r.writeBigUInt64LE(44n, 4);          // size of the rest of this record
      r.writeUInt16LE(45, 12);
      r.writeUInt16LE(45, 14);
      r.writeBigUInt64LE(BigInt(count), 24);
      r.writeBigUInt64LE(BigInt(count), 32);
      r.writeBigUInt64LE(BigInt(cdSize), 40);
      r.writeBigUInt64LE(BigInt(cdOffset), 48);
      const loc = Buffer.alloc(20);
      loc.writeUInt32LE(0x07064b50, 0);
      loc.writeBigUInt64LE(BigInt(eocd64Offset), 8);
      loc.writeUInt32LE(1, 16);             // total number of disks
      this.write(r);
      this.write(loc);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(Math.min(count, 0xffff), 8);
    end.writeUInt16LE(Math.min(count, 0xffff), 10);
    end.writeUInt32LE(Math.min(cdSize, U32_MAX), 12);
    end.writeUInt32LE(Math.min(cdOffset, U32_MAX), 16);
    this.write(end);
    closeSync(this.fd!);
    this.fd = null;
  }

  /** Closes and deletes the partial file. */
  abort(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    try { unlinkSync(this.path); } catch { /* already gone */ }
  }

  private write(buf: Uint8Array): void {
    if (this.fd === null) throw new Error(`ZipWriter: ${this.path} is already finished`);
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    this.offset += buf.length;
  }
}

function centralEntry(e: Written): Buffer {
  const big = e.offset >= U32_MAX;
  const extra = Buffer.alloc(big ? 12 : 0);
  if (big) {
    extra.writeUInt16LE(1, 0);
    extra.writeUInt16LE(8, 2);
    extra.writeBigUInt64LE(BigInt(e.offset), 4);
  }
  const c = Buffer.alloc(46);
  c.writeUInt32LE(0x02014b50, 0);
  c.writeUInt16LE(big ? 45 : 20, 4);         // version made by
  c.writeUInt16LE(big ? 45 : 20, 6);         // version needed
  c.writeUInt16LE(0x0800, 8);
  c.writeUInt16LE(e.method, 10);
  c.writeUInt16LE(0, 12);
  c.writeUInt16LE(DOS_DATE_1980_01_01, 14);
  c.writeUInt32LE(e.crc, 16);
  c.writeUInt32LE(e.compressedSize, 20);
  c.writeUInt32LE(e.size, 24);
  c.writeUInt16LE(e.name.length, 28);
  c.writeUInt16LE(extra.length, 30);
  c.writeUInt32LE(big ? U32_MAX : e.offset, 42);
  return Buffer.concat([c, e.name, extra]);
}
