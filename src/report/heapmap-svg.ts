/**
 * `run --heapmap FILE.svg`: the heap over time as a picture. Top: an address-ordered map (addresses
 * down, operations across; gaps in the address space cut out and marked), each cell coloured by
 * what covers most of it — a live block of thread t, a free block, a thread cache, allocator
 * metadata, mapped memory the heap walk does not report (headers, padding, untouched), or nothing
 * mapped. Bottom: RSS and live bytes, and the fragmentation of the free memory, over the same axis.
 */
import type { HeapSample } from '../experiment/heap-recorder.ts';
import {
  CACHED,
  externalFragmentation,
  FREE,
  freeLeftOut,
  layoutSegments,
  METADATA,
  OVERHEAD,
  sampleColumn,
  UNMAPPED,
  type Segment,
} from './heapmap-layout.ts';
import { escapeHTML, fmtBytes, fmtNum } from './format.ts';

const THREAD_COLORS = ['#1f77b4', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#ff7f0e'];
const KIND_COLORS: Record<number, string> = { [FREE]: '#a8e6b0', [CACHED]: '#ffd166', [METADATA]: '#495057', [OVERHEAD]: '#e9dcc9' };

const W = 960;
const LEFT = 150;
const RIGHT = 60;
const MAP_TOP = 56;
const MAP_H = 420;
const ROW_H = 2;
const CHART_H = 150;

export interface HeapmapInfo {
  title: string;
  subtitle: string;
  threads: number;
}

/** The colour of a heap map cell: a thread's live blocks, or a kind of heap memory. */
export const colorOf = (cat: number): string =>
  cat >= 0 ? (THREAD_COLORS[cat % THREAD_COLORS.length] as string) : (KIND_COLORS[cat] ?? '#ffffff');

/** The map's cells: runs of equal rows in each column, drawn as one path per colour (a small file). */
function mapCells(samples: readonly HeapSample[], segments: readonly Segment[], colW: number): string[] {
  const paths = new Map<string, string[]>();
  samples.forEach((s, i) => {
    const col = sampleColumn(s, segments);
    const x = (LEFT + i * colW).toFixed(1);
    const w = (colW + 0.3).toFixed(1);
    let r = 0;
    while (r < col.length) {
      let e = r;
      while (e + 1 < col.length && col[e + 1] === col[r]) e++;
      const cat = col[r] as number;
      if (cat !== UNMAPPED) {
        const c = colorOf(cat);
        let d = paths.get(c);
        if (d === undefined) paths.set(c, (d = []));
        d.push(`M${x} ${MAP_TOP + r * ROW_H}h${w}v${(e - r + 1) * ROW_H}h-${w}z`);
      }
      r = e + 1;
    }
  });
  return [...paths].map(([c, d]) => `<path fill="${c}" d="${d.join('')}"/>`);
}

function mapAxes(segments: readonly Segment[], samples: readonly HeapSample[], colW: number): string[] {
  const out: string[] = [];
  const bottom = MAP_TOP + segments.reduce((t, s) => t + s.rows, 0) * ROW_H;
  out.push(`<rect x="${LEFT}" y="${MAP_TOP}" width="${samples.length * colW}" height="${bottom - MAP_TOP}" fill="none" stroke="#333"/>`);
  for (const s of segments) {
    const y = MAP_TOP + s.row * ROW_H;
    out.push(
      `<line x1="${LEFT - 6}" x2="${LEFT + samples.length * colW}" y1="${y}" y2="${y}" stroke="#333" stroke-width="${s.row === 0 ? 0 : 1.5}" stroke-dasharray="${s.row === 0 ? '' : '4 2'}"/>`,
    );
    out.push(`<text x="${LEFT - 8}" y="${y + 11}" text-anchor="end" font-size="11">0x${s.start.toString(16)}</text>`);
    out.push(
      `<text x="${LEFT - 8}" y="${y + 24}" text-anchor="end" font-size="10" fill="#666">${escapeHTML(fmtBytes(s.end - s.start))}</text>`,
    );
  }
  out.push(
    `<text x="16" y="${(MAP_TOP + bottom) / 2}" font-size="11" transform="rotate(-90 16 ${(MAP_TOP + bottom) / 2})" text-anchor="middle">address, low at the top (gaps cut out at dashed lines)</text>`,
  );
  return out;
}

function polyline(points: Array<[number, number]>, color: string, width: number, dash = ''): string {
  return `<polyline fill="none" stroke="${color}" stroke-width="${width}"${dash === '' ? '' : ` stroke-dasharray="${dash}"`} points="${points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`;
}

function timeline(samples: readonly HeapSample[], colW: number, top: number): string[] {
  const out: string[] = [];
  const maxBytes = Math.max(1, ...samples.map((s) => Math.max(s.rssBytes, s.liveBytes)));
  const x = (i: number): number => LEFT + (i + 0.5) * colW;
  const yB = (b: number): number => top + CHART_H - (CHART_H * b) / maxBytes;
  const yP = (p: number): number => top + CHART_H - CHART_H * p;
  const width = samples.length * colW;
  out.push(`<rect x="${LEFT}" y="${top}" width="${width}" height="${CHART_H}" fill="none" stroke="#333"/>`);
  const rss = samples.map((s, i) => [x(i), yB(s.rssBytes)] as [number, number]);
  out.push(
    `<polygon fill="#cfe2ff" stroke="none" points="${LEFT},${top + CHART_H} ${rss.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')} ${LEFT + width},${top + CHART_H}"/>`,
  );
  out.push(polyline(rss, '#3d6fb4', 1.5));
  out.push(
    polyline(
      samples.map((s, i) => [x(i), yB(s.liveBytes)]),
      '#0b3d91',
      2,
    ),
  );
  out.push(
    polyline(
      samples.map((s, i) => [x(i), yP(externalFragmentation(s))]),
      '#d62728',
      1.5,
    ),
  );
  out.push(
    polyline(
      samples.map((s, i) => [x(i), yP(s.rssBytes === 0 ? 0 : 1 - s.liveBytes / s.rssBytes)]),
      '#ff7f0e',
      1.5,
      '5 3',
    ),
  );
  for (const f of [0, 0.5, 1]) {
    out.push(
      `<text x="${LEFT - 8}" y="${yB(maxBytes * f) + 4}" text-anchor="end" font-size="10">${escapeHTML(fmtBytes(Math.round(maxBytes * f)))}</text>`,
    );
    out.push(`<text x="${LEFT + width + 6}" y="${yP(f) + 4}" font-size="10" fill="#d62728">${(100 * f).toFixed(0)}%</text>`);
  }
  const last = samples.length - 1;
  for (const i of [0, Math.floor(last / 2), last]) {
    const s = samples[i] as HeapSample;
    out.push(`<text x="${x(i)}" y="${top + CHART_H + 14}" text-anchor="middle" font-size="10">${escapeHTML(fmtNum(s.ops))} ops</text>`);
  }
  out.push(
    `<text x="${LEFT + width / 2}" y="${top + CHART_H + 30}" text-anchor="middle" font-size="11">allocator operations (time)</text>`,
  );
  return out;
}

function legend(threads: number, top: number): string[] {
  const items: Array<[string, string]> = [];
  for (let t = 0; t < Math.min(threads, THREAD_COLORS.length); t++) items.push([colorOf(t), `live, thread ${t}`]);
  items.push(
    [colorOf(FREE), 'free'],
    [colorOf(CACHED), 'cached (thread caches)'],
    [colorOf(METADATA), 'allocator metadata'],
    [colorOf(OVERHEAD), 'mapped, not reported (headers, padding, untouched)'],
  );
  const out: string[] = [];
  let x = LEFT;
  let y = top;
  for (const [c, label] of items) {
    const w = 22 + label.length * 6.2;
    if (x + w > W - RIGHT) {
      x = LEFT;
      y += 16;
    }
    out.push(
      `<rect x="${x}" y="${y - 9}" width="12" height="12" fill="${c}" stroke="#333" stroke-width="0.5"/><text x="${x + 16}" y="${y + 1}" font-size="11">${escapeHTML(label)}</text>`,
    );
    x += w + 10;
  }
  const lines: Array<[string, string, string]> = [
    ['#3d6fb4', '', 'RSS (area)'],
    ['#0b3d91', '', 'live bytes'],
    ['#d62728', '', 'external fragmentation: 1 - largest free / all free (right axis)'],
    ['#ff7f0e', '5 3', '1 - live / RSS (right axis)'],
  ];
  x = LEFT;
  y += 20;
  for (const [c, dash, label] of lines) {
    out.push(
      `<line x1="${x}" x2="${x + 16}" y1="${y - 3}" y2="${y - 3}" stroke="${c}" stroke-width="2"${dash === '' ? '' : ` stroke-dasharray="${dash}"`}/><text x="${x + 20}" y="${y + 1}" font-size="11">${escapeHTML(label)}</text>`,
    );
    x += 30 + label.length * 6.2;
  }
  return out;
}

/** Says how much free address space, away from the heap's activity, the map does not draw. */
function leftOutNote(samples: readonly HeapSample[], segments: readonly Segment[]): string {
  const bytes = freeLeftOut(samples, segments);
  return bytes === 0 ? '' : `; not drawn: up to ${fmtBytes(bytes)} of free address space away from the heap's activity`;
}

/** The heap map and timeline of a run's samples, as an SVG document. */
export function heapmapSvg(samples: readonly HeapSample[], info: HeapmapInfo): string {
  const segments = layoutSegments(samples, Math.floor(MAP_H / ROW_H));
  const colW = samples.length === 0 ? 1 : (W - LEFT - RIGHT) / samples.length;
  const mapBottom = MAP_TOP + segments.reduce((t, s) => t + s.rows, 0) * ROW_H;
  const chartTop = mapBottom + 36;
  const legendTop = chartTop + CHART_H + 52;
  const height = legendTop + 56;
  const body = [
    `<rect width="${W}" height="${height}" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="22" font-size="15" font-weight="bold">${escapeHTML(info.title)}</text>`,
    `<text x="${LEFT}" y="40" font-size="11" fill="#555">${escapeHTML(info.subtitle + leftOutNote(samples, segments))}</text>`,
    ...(samples.length === 0 || segments.length === 0
      ? [`<text x="${LEFT}" y="${MAP_TOP + 20}" font-size="12">no heap to draw: the run made no allocation</text>`]
      : [
          ...mapCells(samples, segments, colW),
          ...mapAxes(segments, samples, colW),
          ...timeline(samples, colW, chartTop),
          ...legend(info.threads, legendTop),
        ]),
  ];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="DejaVu Sans, Arial, sans-serif">\n${body.join('\n')}\n</svg>\n`;
}
