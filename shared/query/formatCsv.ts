/**
 * One CSV cell: quoted when it holds a comma, quote or line break (RFC 4180).
 * Text that a spreadsheet would run as a formula (starting with = + - @,
 * tab or CR: tag values and descriptions come from anyone who may tag an
 * ENI) gets a leading `'`, as OWASP advises; numbers are left as they are.
 * @see https://owasp.org/www-community/attacks/CSV_Injection
 */
const cell = (value: unknown): string => {
  const raw = value === null || value === undefined ? '' : String(value);
  const text =
    typeof value === 'string' && /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
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
