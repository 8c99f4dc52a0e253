/**
 * Aligned text for the CLI's human output: columns padded to their widest cell, two spaces
 * apart, trailing spaces trimmed — the way kubectl prints tables.
 */

/** Renders rows (the first usually a header) as aligned lines. */
export function formatTable(rows: readonly (readonly string[])[], indent = ''): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    `${indent}${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd(),
  );
}

/** `key: value` lines with the keys padded to one width. */
export function formatFields(fields: readonly (readonly [string, string])[], indent = ''): string[] {
  const width = Math.max(0, ...fields.map(([k]) => k.length + 1));
  return fields.map(([k, v]) => `${indent}${`${k}:`.padEnd(width)}  ${v}`.trimEnd());
}
