// ZIP archives of small text files (flow exports and imports): written deflated with CRC32,
// read back stored or deflated. node:zlib (in Bun and Node) does the compression and CRC;
// the container format is a few fixed headers (PKWARE APPNOTE 4.3), so no dependency.
import { crc32, deflateRawSync, inflateRawSync } from "node:zlib";

export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

const LOCAL = 0x04034b50, CENTRAL = 0x02014b50, END = 0x06054b50;
const UTF8_NAMES = 0x0800;
/** Entries over this many (inflated) bytes are refused: a zip bomb must not fill the memory. */
export const MAX_ENTRY_BYTES = 16 * 1024 * 1024;

export class ZipError extends Error {}

/** DOS date and time fields of a Date (local time, 2-second resolution). */
function dosTime(d: Date): { time: number; date: number } {
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
    date: ((Math.max(d.getFullYear(), 1980) - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

export function writeZip(entries: ZipEntry[], now = new Date()): Uint8Array<ArrayBuffer> {
  const enc = new TextEncoder();
  const { time, date } = dosTime(now);
  const locals: Uint8Array[] = [], centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = enc.encode(e.name);
    const packed = deflateRawSync(e.data);
    const crc = crc32(e.data);
    // Fields shared by the local and the central header, from "version needed" to the name length.
    const common = (v: DataView, at: number) => {
      v.setUint16(at, 20, true); // version needed: 2.0 (deflate)
      v.setUint16(at + 2, UTF8_NAMES, true);
      v.setUint16(at + 4, 8, true); // deflate
      v.setUint16(at + 6, time, true);
      v.setUint16(at + 8, date, true);
      v.setUint32(at + 10, crc, true);
      v.setUint32(at + 14, packed.length, true);
      v.setUint32(at + 18, e.data.length, true);
      v.setUint16(at + 22, name.length, true);
    };
    const local = new Uint8Array(30 + name.length + packed.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, LOCAL, true);
    common(lv, 4);
    local.set(name, 30);
    local.set(packed, 30 + name.length);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, CENTRAL, true);
    cv.setUint16(4, 20, true); // version made by
    common(cv, 6);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local);
    centrals.push(central);
    offset += local.length;
  }
  const dirSize = centrals.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, END, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, dirSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + dirSize + 22);
  let at = 0;
  for (const part of [...locals, ...centrals, end]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * The files of an archive, read from its central directory (sizes there are right even when
 * the writer streamed with data descriptors). Directories are skipped; a bad CRC is an error.
 */
export function readZip(bytes: Uint8Array): ZipEntry[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = -1;
  // The end record sits in the last 22 + 65535 (comment) bytes.
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (v.getUint32(i, true) === END) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new ZipError("not a ZIP archive (no end of central directory)");
  const count = v.getUint16(end + 10, true);
  let at = v.getUint32(end + 16, true);
  const dec = new TextDecoder();
  const out: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || v.getUint32(at, true) !== CENTRAL) throw new ZipError("corrupt ZIP central directory");
    const method = v.getUint16(at + 10, true);
    const crc = v.getUint32(at + 16, true);
    const packedSize = v.getUint32(at + 20, true);
    const size = v.getUint32(at + 24, true);
    const nameLen = v.getUint16(at + 28, true), extraLen = v.getUint16(at + 30, true), commentLen = v.getUint16(at + 32, true);
    const localAt = v.getUint32(at + 42, true);
    const name = dec.decode(bytes.subarray(at + 46, at + 46 + nameLen));
    at += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith("/")) continue;
    if (size > MAX_ENTRY_BYTES) throw new ZipError(`${name}: ${size} bytes, over the ${MAX_ENTRY_BYTES} bytes limit`);
    if (localAt + 30 > bytes.length || v.getUint32(localAt, true) !== LOCAL) throw new ZipError(`${name}: corrupt local header`);
    const start = localAt + 30 + v.getUint16(localAt + 26, true) + v.getUint16(localAt + 28, true);
    const packed = bytes.subarray(start, start + packedSize);
    let data: Uint8Array;
    if (method === 0) data = packed;
    else if (method === 8) data = inflateRawSync(packed, { maxOutputLength: MAX_ENTRY_BYTES });
    else throw new ZipError(`${name}: compression method ${method} is not supported (stored or deflate only)`);
    if (crc32(data) !== crc) throw new ZipError(`${name}: CRC mismatch`);
    out.push({ name, data });
  }
  return out;
}
