import type { TextEncoding } from './file-text';

/** One problem found in a row of an imported file (an error that rejects the file, or a warning). */
export interface RowIssue {
  row: number;
  column: string;
  value: string;
  /** Translation key in the import namespace. */
  key: string;
  params?: Record<string, string | number>;
}

/** What every importer of a row file reports (each adds its own fields). */
export interface RowFileReport {
  status: 'imported' | 'unchanged' | 'rejected';
  file: string;
  encoding: TextEncoding;
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  years: number[];
  errors: RowIssue[];
  errorCount: number;
  /** Rows kept as published but outside the usual ranges. */
  warnings: RowIssue[];
  missingColumns: string[];
}

/** A report that rejects until the import says otherwise, and its error collector (keeps the first `maxErrors`, counts all). */
export function rowFileReport(file: string, encoding: TextEncoding, maxErrors: number): { report: RowFileReport; fail: (e: RowIssue) => void } {
  const report: RowFileReport = { status: 'rejected', file, encoding, rows: 0, inserted: 0, updated: 0, unchanged: 0, years: [], errors: [], errorCount: 0, warnings: [], missingColumns: [] };
  const fail = (e: RowIssue) => {
    report.errorCount++;
    if (report.errors.length < maxErrors) report.errors.push(e);
  };
  return { report, fail };
}
