/** One CSV cell: quoted when it holds a comma, quote or line break (RFC 4180). */
const cell = (value: unknown): string => {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/**
 * Rows as CSV with a header row of `columns`, CRLF line ends (RFC 4180).
 * A missing value is an empty cell; objects should be flattened first.
 * @example formatCsv(['interfaceId', 'bytes'], [{ interfaceId: 'eni-1', bytes: 3 }])
 */
function formatCsv(
  columns: readonly string[],
  rows: readonly Readonly<Record<string, unknown>>[]
): string {
  const lines = [columns.map(cell).join(',')];
  for (const row of rows) {
    lines.push(columns.map((column) => cell(row[column])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

export { formatCsv };
