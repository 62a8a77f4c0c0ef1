import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { probeFile } from '../../src/lib/file-text';

describe('probeFile', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-'));
  const write = (name: string, buf: Buffer) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, buf);
    return f;
  };
  // 1 MiB chunks: put a two-byte "é" across the first chunk boundary.
  const big = (enc: 'utf8' | 'latin1') => Buffer.concat([Buffer.alloc((1 << 20) - 1, 0x61), Buffer.from('é,ÁÑ\n', enc)]);

  it('when a multi-byte character straddles a chunk boundary, then the file is still UTF-8', async () => {
    expect((await probeFile(write('u.csv', big('utf8')))).encoding).toBe('utf-8');
  });

  it('when the bytes are Latin-1, then Latin-1 is reported', async () => {
    expect((await probeFile(write('l.csv', big('latin1')))).encoding).toBe('latin1');
  });

  it('when the file starts with a BOM, then utf-8-bom is reported', async () => {
    expect((await probeFile(write('b.csv', Buffer.from('\ufeffa,b\n', 'utf8')))).encoding).toBe('utf-8-bom');
  });

  it('when a file ends in the middle of a character, then it is not UTF-8', async () => {
    expect((await probeFile(write('t.csv', Buffer.from([0x61, 0xc3])))).encoding).toBe('latin1');
  });
});
