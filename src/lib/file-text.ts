import crypto from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import fs from 'node:fs';

export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'latin1';

/** Reads a whole (small) text file, detecting UTF-8 (with or without BOM) vs Latin-1. */
export function readTextFile(file: string): { text: string; encoding: TextEncoding; sha256: string; bytes: number } {
  const buf = fs.readFileSync(file);
  const sha256 = crypto.createHash('sha256').update(buf).digest('hex');
  const bom = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bom ? buf.subarray(3) : buf);
    return { text, encoding: bom ? 'utf-8-bom' : 'utf-8', sha256, bytes: buf.length };
  } catch {
    return { text: buf.toString('latin1'), encoding: 'latin1', sha256, bytes: buf.length };
  }
}

/** Guesses the delimiter of a CSV from its header line (Excel in Spanish locales writes ';'). */
export function sniffDelimiter(headerLine: string): ',' | ';' | '\t' {
  const count = (c: string) => headerLine.split(c).length - 1;
  const candidates: Array<',' | ';' | '\t'> = [',', ';', '\t'];
  return candidates.reduce((best, c) => (count(c) > count(best) ? c : best), ',');
}

/** Length of an incomplete UTF-8 sequence at the end of a chunk (0–3 bytes to carry over). */
function incompleteTail(buf: Buffer): number {
  for (let i = 1; i <= Math.min(3, buf.length); i++) {
    const b = buf[buf.length - i];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > i ? i : 0;
  }
  return 0;
}

/**
 * Streams a (possibly huge) file once: sha256, byte size, and whether its bytes are valid UTF-8
 * (with or without BOM) — otherwise it is read as Latin-1. Memory stays flat.
 */
export async function probeFile(file: string): Promise<{ sha256: string; encoding: TextEncoding; bytes: number }> {
  const hash = crypto.createHash('sha256');
  let utf8 = true;
  let bytes = 0;
  let bom = false;
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    if (bytes === 0) bom = chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf;
    bytes += chunk.length;
    hash.update(chunk);
    if (utf8) {
      const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const tail = incompleteTail(buf);
      utf8 = isUtf8(buf.subarray(0, buf.length - tail));
      carry = Buffer.from(buf.subarray(buf.length - tail));
    }
  }
  if (carry.length) utf8 = false;
  return { sha256: hash.digest('hex'), encoding: utf8 ? (bom ? 'utf-8-bom' : 'utf-8') : 'latin1', bytes };
}
