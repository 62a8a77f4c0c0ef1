/** One problem found in a row of an imported file (an error that rejects the file, or a warning). */
export interface RowIssue {
  row: number;
  column: string;
  value: string;
  /** Translation key in the import namespace. */
  key: string;
  params?: Record<string, string | number>;
}
