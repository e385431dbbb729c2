import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCsv } from '../../../shared/query/formatCsv.js';

describe('formatCsv', () => {
  it('writes a header row, then one row per record, each ending in CRLF', () => {
    // Prepare
    const rows = [
      { interfaceId: 'eni-0a1b2c3d', bytes: 3 },
      { interfaceId: 'eni-1a1b2c3d', bytes: 40 },
    ];
    // Act
    const csv = formatCsv(['interfaceId', 'bytes'], rows);
    // Assess
    expect(csv).toBe(
      'interfaceId,bytes\r\neni-0a1b2c3d,3\r\neni-1a1b2c3d,40\r\n'
    );
  });

  it('writes only the header row when there are no rows', () => {
    // Act
    const csv = formatCsv(['status'], []);
    // Assess
    expect(csv).toBe('status\r\n');
  });

  it('follows the order of the columns, not of the keys', () => {
    // Prepare
    const rows = [{ c: 3, a: 1, b: 2 }];
    // Act
    const csv = formatCsv(['b', 'c', 'a'], rows);
    // Assess
    expect(csv).toBe('b,c,a\r\n2,3,1\r\n');
  });

  it('leaves out keys that are not columns', () => {
    // Prepare
    const rows = [{ a: 1, secret: 'x' }];
    // Act
    const csv = formatCsv(['a'], rows);
    // Assess
    expect(csv).toBe('a\r\n1\r\n');
  });

  it('writes an empty cell for null, undefined and a missing key', () => {
    // Prepare
    const rows = [{ a: null, b: undefined }];
    // Act
    const csv = formatCsv(['a', 'b', 'c', 'd'], [...rows, { d: 0 }]);
    // Assess
    expect(csv).toBe('a,b,c,d\r\n,,,\r\n,,,0\r\n');
  });

  it.each([
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['"', '""""'],
    ['two\nlines', '"two\nlines"'],
    ['two\r\nlines', '"two\r\nlines"'],
    ['cr\r', '"cr\r"'],
    ['plain text', 'plain text'],
    [' padded ', ' padded '],
    ['', ''],
  ])('writes %j as the cell %j', (value, cell) => {
    // Act
    const csv = formatCsv(['v'], [{ v: value }]);
    // Assess
    expect(csv).toBe(`v\r\n${cell}\r\n`);
  });

  it('quotes header cells as it quotes values', () => {
    // Act
    const csv = formatCsv(['a,b', 'c"d'], []);
    // Assess
    expect(csv).toBe('"a,b","c""d"\r\n');
  });

  it('writes numbers, zero and booleans as text', () => {
    // Prepare
    const rows = [{ n: 0, big: 9_007_199_254_740_991, f: 1.5, t: true }];
    // Act
    const csv = formatCsv(['n', 'big', 'f', 't'], rows);
    // Assess
    expect(csv).toBe('n,big,f,t\r\n0,9007199254740991,1.5,true\r\n');
  });

  it('writes text that an RFC 4180 reader gets back cell for cell', () => {
    // A small RFC 4180 reader, enough to read back what formatCsv writes.
    const readCsv = (text: string): string[][] => {
      const records: string[][] = [];
      let record: string[] = [];
      let cell = '';
      let quoted = false;
      for (let i = 0; i < text.length; i += 1) {
        const char = text.charAt(i);
        if (quoted) {
          if (char === '"' && text.charAt(i + 1) === '"') {
            cell += '"';
            i += 1;
          } else if (char === '"') {
            quoted = false;
          } else {
            cell += char;
          }
        } else if (char === '"') {
          quoted = true;
        } else if (char === ',') {
          record.push(cell);
          cell = '';
        } else if (char === '\r' && text.charAt(i + 1) === '\n') {
          record.push(cell);
          records.push(record);
          record = [];
          cell = '';
          i += 1;
        } else {
          cell += char;
        }
      }
      return records;
    };
    const text = fc.string({ unit: 'binary' });
    fc.assert(
      fc.property(fc.array(fc.tuple(text, text), { maxLength: 5 }), (pairs) => {
        // Prepare
        const rows = pairs.map(([a, b]) => ({ a, b }));
        // Act
        const csv = formatCsv(['a', 'b'], rows);
        // Assess
        expect(csv.endsWith('\r\n')).toBe(true);
        const neutral = (cell: string) =>
          /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
        expect(readCsv(csv)).toEqual([
          ['a', 'b'],
          ...pairs.map(([a, b]) => [neutral(a), neutral(b)]),
        ]);
      })
    );
  });

  it('puts a quote before text a spreadsheet would run as a formula, not before numbers', () => {
    // Prepare
    const rows = [
      { name: "=cmd|' /C calc'!A0", n: -1 },
      { name: '+1', n: 0 },
      { name: '-2', n: 1 },
      { name: '@SUM(A1)', n: 2 },
      { name: '\tx', n: 3 },
      { name: 'web-1', n: 4 },
    ];
    // Act
    const csv = formatCsv(['name', 'n'], rows);
    // Assess
    expect(csv.split('\r\n').slice(1, -1)).toEqual([
      "'=cmd|' /C calc'!A0,-1",
      "'+1,0",
      "'-2,1",
      "'@SUM(A1),2",
      "'\tx,3",
      'web-1,4',
    ]);
  });
});
