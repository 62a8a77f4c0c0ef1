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
  recordDelimiter: string;
  skipHeader: boolean;
  ctx: RowContext;
}

async function run(job: Job) {
  const port = parentPort!;
  let credits = 1; // batches in flight before the parser waits for the writer (bounds memory)
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
  const parser = input.pipe(parse({ encoding: job.encoding, bom: job.skipHeader, relax_column_count: true, skip_empty_lines: true, record_delimiter: job.recordDelimiter }));
  let row = 0;
  let header = job.skipHeader;
  // 'data' events rather than for-await: no promise per record; pause while a batch is in flight.
  await new Promise<void>((resolve, reject) => {
    parser.on('data', (rec: string[]) => {
      if (header) {
        header = false;
        return;
      }
      row++;
      const p = proc.push(rec, row);
      if (p) {
        parser.pause();
        p.then(() => parser.resume(), reject);
      }
      if (row % 20000 === 0) port.postMessage({ type: 'progress', rows: row, bytes: input.bytesRead });
    });
    parser.on('end', resolve);
    parser.on('error', reject);
    input.on('error', reject);
  });
  const summary = await proc.finish();
  while (credits < 1) await new Promise<void>((r) => (wake = r));
  port.postMessage({ type: 'done', summary });
}

run(workerData as Job).catch((err) => {
  parentPort!.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
});
