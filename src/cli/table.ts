/** Prints rows as an aligned plain-text table. */
export function printTable(headers: string[], rows: string[][], write = (s: string) => process.stdout.write(s)): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  write(`${line(headers)}\n`);
  for (const row of rows) write(`${line(row)}\n`);
  if (rows.length === 0) write('(none)\n');
}
