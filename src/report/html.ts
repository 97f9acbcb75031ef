/**
 * A self-contained HTML page of a compare/sweep: the charts (inline SVG, no scripts, no network)
 * and the summary table, for sharing a result as one file.
 */
import type { Summary } from '../experiment/summary.ts';
import { fmtRange, fmtSd } from './compare-table.ts';
import { escapeHTML, fmtBytes, fmtNum } from './format.ts';


function table(s: Summary): string {
  const head = ['benchmark', 'threads', 'allocator', 'time ×', 'peak RSS ×', 'cycles', 'peak RSS', 'atomics/op', 'L1 miss/op', 'alloc share of L1 misses', 'coh miss/op', 'runs'];
  const body = s.cells.map((c) => {
    const n = c.runs - c.failed;
    const cells = [
      c.benchmark, c.threads === 0 ? '-' : String(c.threads), c.allocator,
      fmtRange(c.relTime, 3, n), fmtRange(c.relRss, 2, n),
      c.cycles === null ? '-' : fmtNum(c.cycles.mean), c.rssPeakBytes === null ? '-' : fmtBytes(c.rssPeakBytes.mean),
      fmtSd(c.atomicsPerOp, 3, n), fmtSd(c.l1MissesPerOp, 2, n),
      c.allocatorMissShare === null ? '-' : `${(100 * c.allocatorMissShare.mean).toFixed(0)}%`,
      fmtSd(c.coherenceMissesPerOp, 3, n), c.failed > 0 ? `${n}/${c.runs} ok` : String(c.runs),
    ];
    const cls = c.allocator === s.baseline ? ' class="baseline"' : '';
    return `<tr${cls}>${cells.map((x) => `<td>${escapeHTML(x)}</td>`).join('')}</tr>`;
  });
  return `<table><thead><tr>${head.map((h) => `<th>${escapeHTML(h)}</th>`).join('')}</tr></thead><tbody>\n${body.join('\n')}\n</tbody></table>`;
}

export function toHTML(s: Summary, title: string, description: string, svg: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHTML(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; font-size: 0.9em; margin-top: 1.5em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3em 0.7em; text-align: right; }
th:nth-child(-n+3), td:nth-child(-n+3) { text-align: left; }
tr.baseline td { font-weight: 600; }
p.note { color: #555; max-width: 60em; }
</style>
</head>
<body>
<h1>${escapeHTML(title)}</h1>
<p class="note">${escapeHTML(description)}</p>
${svg}
${table(s)}
<p class="note">Relative figures: the cell's mean over seeds divided by the baseline's mean (${escapeHTML(s.baseline)}) at the same benchmark and thread count; ranges are min–max over seeds, ± the sample standard deviation.</p>
</body>
</html>
`;
}
