import { parse } from 'csv-parse';
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { Batch, createRowProcessor, RowContext } from './mef-gasto.rows';

/** Parser worker: one byte range of the file → validated, pre-summed batches for the writer. */
interface Job {
  file: string;
  start: number;
  end: number;
  encoding: 'utf8' | 'latin1';
  skipHeader: boolean;
  ctx: RowContext;
}

async function run(job: Job) {
  const port = parentPort!;
  let credits = 2; // batches allowed in flight before the parser waits for the writer
  let wake: (() => void) | null = null;
  port.on('message', (m: { type: string }) => {
    if (m.type === 'ack') {
      credits++;
      wake?.();
      wake = null;
    }
  });
  const emit = async (batch: Batch) => {
    while (credits === 0) await new Promise<void>((r) => (wake = r));
    credits--;
    port.postMessage({ type: 'batch', batch });
  };
  const proc = createRowProcessor(job.ctx, emit);
  const input = fs.createReadStream(job.file, { start: job.start, end: job.end, highWaterMark: 1 << 20 });
  const parser = input.pipe(parse({ encoding: job.encoding, bom: job.skipHeader, relax_column_count: true, skip_empty_lines: true }));
  let row = 0;
  let header = job.skipHeader;
  for await (const rec of parser as AsyncIterable<string[]>) {
    if (header) {
      header = false;
      continue;
    }
    row++;
    const p = proc.push(rec, row);
    if (p) await p;
    if (row % 20000 === 0) port.postMessage({ type: 'progress', rows: row, bytes: input.bytesRead });
  }
  const summary = await proc.finish();
  while (credits < 2) await new Promise<void>((r) => (wake = r));
  port.postMessage({ type: 'done', summary });
}

run(workerData as Job).catch((err) => {
  parentPort!.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
});
