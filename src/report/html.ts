/**
 * A self-contained HTML page of a compare/sweep: the charts (inline SVG, no scripts, no network)
 * and the summary table, for sharing a result as one file.
 */
import type { Summary } from '../experiment/summary.ts';
import { fmtRange, fmtSd, geomeanLine, relVerdict } from './summary-format.ts';
import { escapeHTML, fmtBytes, fmtNum } from './format.ts';

/** The summary table as HTML (the terminal table's columns; the playground shows it too). */
export function summaryTable(s: Summary): string {
  const head = [
    'benchmark',
    'threads',
    'allocator',
    'time ×',
    'peak RSS ×',
    'cycles',
    'peak RSS',
    'atomics/op',
    'L1 miss/op',
    'alloc share of L1 misses',
    'coh miss/op',
    'runs',
  ];
  const body = s.cells.map((c) => {
    const n = c.runs - c.failed;
    const cells = [
      c.benchmark,
      c.threads === 0 ? '-' : String(c.threads),
      c.allocator,
      fmtRange(c.relTime, 3, n),
      fmtRange(c.relRss, 2, n),
      c.cycles === null ? '-' : fmtNum(c.cycles.mean),
      c.rssPeakBytes === null ? '-' : fmtBytes(c.rssPeakBytes.mean),
      fmtSd(c.atomicsPerOp, 3, n),
      fmtSd(c.l1MissesPerOp, 2, n),
      c.allocatorMissShare === null ? '-' : `${(100 * c.allocatorMissShare.mean).toFixed(0)}%`,
      fmtSd(c.coherenceMissesPerOp, 3, n),
      c.failed > 0 ? `${n}/${c.runs} ok` : String(c.runs),
    ];
    const isBase = c.allocator === s.baseline;
    const cls = isBase ? ' class="baseline"' : '';
    // time × and peak RSS × (columns 4 and 5) coloured as in the terminal: green better, red worse.
    const verdicts = [undefined, undefined, undefined, relVerdict(c.relTime, isBase), relVerdict(c.relRss, isBase)];
    return `<tr${cls}>${cells.map((x, i) => `<td${verdicts[i] === undefined ? '' : ` class="${verdicts[i]}"`}>${escapeHTML(x)}</td>`).join('')}</tr>`;
  });
  return `<table><thead><tr>${head.map((h) => `<th>${escapeHTML(h)}</th>`).join('')}</tr></thead><tbody>\n${body.join('\n')}\n</tbody></table>`;
}

/** The page: `svg` is the charts without a title of their own (the page's heading is the title). */
export function toHTML(s: Summary, title: string, description: string, svg: string): string {
  const geo = geomeanLine(s);
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
td { white-space: nowrap; }
td.better { color: #1a7f37; }
td.worse { color: #c62828; }
tr.baseline td { font-weight: 600; }
p.note { color: #555; max-width: 60em; }
</style>
</head>
<body>
<h1>${escapeHTML(title)}</h1>
<p class="note">${escapeHTML(description)}</p>
${svg}
${summaryTable(s)}
${geo === undefined ? '' : `<p class="geomean">${escapeHTML(geo)}</p>\n`}<p class="note">Relative figures: lower is better (green below 0.98, red above 1.02); the cell's mean over seeds divided by the baseline's mean (${escapeHTML(s.baseline)}) at the same benchmark and thread count; ranges are min–max over seeds, ± the sample standard deviation.</p>
</body>
</html>
`;
}
