import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';

/** Folder with the bundled reference CSVs (works from src/ and from dist/src/). */
export function referenceDir(): string {
  for (const dir of [path.resolve(__dirname, '..', '..', 'reference-data'), path.resolve(__dirname, '..', '..', '..', 'reference-data')]) {
    if (fs.existsSync(path.join(dir, 'ubigeo_distritos.csv'))) return dir;
  }
  throw new Error('reference-data folder not found');
}

export function referenceFile(name: string): string {
  return path.join(referenceDir(), name);
}

/** Reads a small bundled CSV into records; every value stays a string (codes keep their zeros). */
export function readReferenceCsv(name: string): Record<string, string>[] {
  return parse(fs.readFileSync(referenceFile(name)), { columns: true, bom: true, skip_empty_lines: true, trim: true });
}
