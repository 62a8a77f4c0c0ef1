import { parse } from 'csv-parse/sync';
import { csvRecords } from '../../../src/lib/csv';

const viaParser = (text: string, delimiter: string) =>
  (parse(text, { delimiter, relax_column_count: true, skip_empty_lines: true, info: true, trim: true }) as unknown as Array<{ record: string[]; info: { lines: number } }>).map((r) => ({
    record: r.record,
    line: r.info.lines,
  }));

describe('csvRecords', () => {
  test.each([
    ['a,b,c\n1,2,3\n', ','],
    ['a;b\r\n 1 ; 2 \r\n\r\n3;4', ';'],
    ['a,b\n1,\n,2\n\n\n5,6,7\n', ','],
    ['x,y\n"1,5",2\n"multi\nline",3\n', ','],
  ])('when %j is read, then records and line numbers equal csv-parse (quotes go through csv-parse)', (text, delimiter) => {
    expect([...csvRecords(text, delimiter)]).toEqual(viaParser(text, delimiter));
  });

  test('when a quoted text cannot be parsed, then reading it throws (the importers turn that into a row error)', () => {
    expect(() => [...csvRecords('a,b\n"open,1\n', ',')]).toThrow();
  });
});
