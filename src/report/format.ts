/** Number formatting shared by the reports. */

/** 1234567 -> "1,234,567"; fractions keep up to `digits` decimals. */
export function fmtNum(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return String(n);
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** Bytes in binary units: "1.5 MiB". */
export function fmtBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[u]}`;
}

export function fmtPct(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`;
}

/** The width tables are fitted to: the terminal's, or 117 columns off a terminal (pipes and files get the same output everywhere). */
export function tableWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  return stream.isTTY === true && stream.columns !== undefined && stream.columns > 0 ? Math.max(60, stream.columns) : 117;
}

/** The width yargs wraps help text at: the terminal's up to 110 columns, 110 off a terminal. */
export function helpWidth(stream: { columns?: number } = process.stdout): number {
  return Math.min(110, stream.columns ?? 110);
}

/**
 * cli-table3 column widths for a table whose last column wraps: the other columns as given, the
 * last one takes what is left of `width` (at least `minLast`), borders included.
 */
export function fitColumns(fixed: readonly number[], width = tableWidth(), minLast = 24): number[] {
  const used = fixed.reduce((a, b) => a + b, 0) + fixed.length + 2;
  return [...fixed, Math.max(minLast, width - used)];
}

/** Deterministic JSON: two-space indentation, keys in construction order. */
export function toJSON(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** The JSON of a compare/sweep (`--json`, the playground's download): `{ experiment, summary, results }`. */
export function gridJSON(experiment: unknown, summary: unknown, results: unknown): string {
  return toJSON({ experiment, summary, results });
}

/** Escapes text for HTML and SVG (element content and double-quoted attributes). */
export function escapeHTML(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
