import { parentPort, workerData } from 'node:worker_threads';
import { Batch, parseRange, RowContext } from './mef-gasto.rows';

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
  const { file, start, end, encoding, recordDelimiter } = job;
  const summary = await parseRange({ file, start, end, encoding, recordDelimiter }, job.skipHeader, job.ctx, emit, (rows, bytes) => port.postMessage({ type: 'progress', rows, bytes }));
  while (credits < 1) await new Promise<void>((r) => (wake = r));
  port.postMessage({ type: 'done', summary });
}

run(workerData as Job).catch((err) => {
  parentPort!.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
});
