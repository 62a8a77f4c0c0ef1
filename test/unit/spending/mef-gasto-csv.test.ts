import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { MAX_RECORD_CHARS, readCsvRecords } from '../../../src/modules/spending/mef-gasto.csv';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ra-csv-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
const write = (text: string | Buffer) => {
  const file = path.join(dir, `f${n++}.csv`);
  fs.writeFileSync(file, text);
  return file;
};

/** A CSV text of `rows` records with every awkward cell CSV allows, quoted as a spreadsheet would. */
function awkward(rows: number, eol: string): string {
  const cells = ['PLAIN', 'A, B', 'SAID "HI"', `TWO${eol}LINES`, '', 'ÁÉÍÓÚ Ñ', '"', ',,,', 'x'.repeat(300)];
  const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = ['ANO_EJE,NAME,OTHER,AMOUNT'];
  for (let i = 0; i < rows; i++) lines.push([2024, quote(cells[i % cells.length]), quote(cells[(i * 7) % cells.length]), `${i}.50`].join(','));
  return lines.join(eol) + eol;
}

async function all(file: string, opts: { recordDelimiter?: string; encoding?: 'utf8' | 'latin1'; start?: number; end?: number; limit?: number } = {}) {
  const out: string[][] = [];
  const read = await readCsvRecords({ file, encoding: opts.encoding ?? 'utf8', recordDelimiter: opts.recordDelimiter ?? '\n', start: opts.start, end: opts.end, limit: opts.limit }, (rec) => {
    out.push(rec);
  });
  return { out, read };
}

describe('the CSV reader of MEF files', () => {
  it.each(['\n', '\r\n'])('when cells hold delimiters, escaped quotes and line ends (%j) across many chunks, then every record is what csv-parse reads', async (eol) => {
    const text = awkward(24000, eol); // over 2 MB: records cross the 1 MB chunk boundaries
    expect(text.length).toBeGreaterThan(2 * (1 << 20));
    const { out, read } = await all(write(text), { recordDelimiter: eol });
    const expected = parse(text, { relax_column_count: true, skip_empty_lines: true, record_delimiter: eol }) as string[][];
    expect(read).toMatchObject({ records: 24001, unreadableAt: null });
    expect(out).toEqual(expected);
  });

  it('when the file starts with a byte-order mark and is read as Latin-1 or in a byte range, then the header has no mark and the range holds its records only', async () => {
    const bom = await all(write(`\ufeffANO_EJE,B\n2024,x\n`));
    expect(bom.out).toEqual([
      ['ANO_EJE', 'B'],
      ['2024', 'x'],
    ]);
    const latin = await all(write(Buffer.from('ANO_EJE,NOMBRE\n2024,JESÚS MARÍA\n', 'latin1')), { encoding: 'latin1' });
    expect(latin.out[1]).toEqual(['2024', 'JESÚS MARÍA']);
    const text = 'A,B\n1,x\n2,"y\nz"\n3,w\n';
    const start = text.indexOf('2,');
    const range = await all(write(text), { start, end: text.indexOf('3,') - 1 });
    expect(range.out).toEqual([['2', 'y\nz']]);
    const header = await all(write(text), { limit: 1 });
    expect(header.out).toEqual([['A', 'B']]);
  });

  it('when the consumer answers with a promise, then no later record is handed over before it settles, and none is lost', async () => {
    const file = write(awkward(5000, '\n'));
    const seen: number[] = [];
    let open = 0;
    let maxOpen = 0;
    const read = await readCsvRecords({ file, encoding: 'utf8', recordDelimiter: '\n' }, (rec, i) => {
      expect(open).toBe(0);
      seen.push(i);
      if (i % 700 !== 0) return undefined;
      open++;
      maxOpen = Math.max(maxOpen, open);
      return new Promise<void>((resolve) =>
        setTimeout(() => {
          open--;
          resolve();
        }, 5),
      );
    });
    expect(read.records).toBe(5001);
    expect(maxOpen).toBe(1);
    expect(seen).toEqual(Array.from({ length: 5001 }, (_, k) => k + 1));
  });

  it('when text follows a closing quote, then reading stops at that record and the records before it were handed over', async () => {
    const { out, read } = await all(write('A,B\n1,x\n2,"y"z\n3,w\n'));
    expect(read.unreadableAt).toBe(3);
    expect(out).toEqual([
      ['A', 'B'],
      ['1', 'x'],
    ]);
  });

  it('when a quote is never closed in a large file, then reading stops at that record within a chunk or two, not at the end of the file', async () => {
    const lines = ['A,B', '1,x', '2,"never closed'];
    for (let i = 3; i < 40000; i++) lines.push(`${i},${'y'.repeat(200)}`); // 8 MB
    const file = write(lines.join('\n'));
    const { out, read } = await all(file);
    expect(read.unreadableAt).toBe(3);
    expect(out).toHaveLength(2);
    expect(read.bytes).toBeLessThan(2 * (1 << 20) + MAX_RECORD_CHARS);
    expect(fs.statSync(file).size).toBeGreaterThan(4 * read.bytes);
    // Unclosed at the very end of a small file: found when the text ends.
    expect((await all(write('A,B\n1,x\n2,"open\n'))).read.unreadableAt).toBe(3);
  });
});
