/**
 * Charts of a compare/sweep in the style of the allocator papers' figures: time and peak RSS
 * relative to the baseline per benchmark, bars grouped by allocator with the min–max range over
 * seeds as error bars and a rule at 1 (mimalloc-bench, snmalloc and BatchIt figures); and, when
 * there are several thread counts, thread-count curves of throughput per benchmark.
 *
 * The charts are Vega-Lite specs rendered to SVG headless by Vega (no browser, no canvas).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Summary } from '../experiment/summary.ts';

interface Row {
  group: string;
  /** Which row of bars the group is drawn in (GROUPS_PER_ROW groups a row). */
  chunk: number;
  benchmark: string;
  threads: number;
  allocator: string;
  relTime: number | null;
  relTimeMin: number | null;
  relTimeMax: number | null;
  relRss: number | null;
  relRssMin: number | null;
  relRssMax: number | null;
  throughput: number | null;
  throughputMin: number | null;
  throughputMax: number | null;
}

/** Benchmark groups per row of bars: more wrap onto further rows, so the figure keeps a paper's width. */
export const GROUPS_PER_ROW = 12;

/** A relative figure whose largest value is this many times its smallest is drawn on a log scale. */
export const LOG_SCALE_RATIO = 8;

function rows(s: Summary): Row[] {
  const manyThreads = new Set(s.cells.map((c) => c.threads)).size > 1;
  const groupOf = (c: Summary['cells'][number]): string => (manyThreads && c.threads > 0 ? `${c.benchmark} t=${c.threads}` : c.benchmark);
  const groups = [...new Set(s.cells.map(groupOf))];
  return s.cells.map((c) => ({
    group: groupOf(c),
    chunk: Math.floor(groups.indexOf(groupOf(c)) / GROUPS_PER_ROW),
    benchmark: c.benchmark,
    threads: c.threads,
    allocator: c.allocator,
    relTime: c.relTime?.mean ?? null,
    relTimeMin: c.relTime?.min ?? null,
    relTimeMax: c.relTime?.max ?? null,
    relRss: c.relRss?.mean ?? null,
    relRssMin: c.relRss?.min ?? null,
    relRssMax: c.relRss?.max ?? null,
    throughput: c.opsPerKcycle?.mean ?? null,
    throughputMin: c.opsPerKcycle?.min ?? null,
    throughputMax: c.opsPerKcycle?.max ?? null,
  }));
}

const ALLOCATOR_COLOR = {
  field: 'allocator',
  type: 'nominal',
  sort: null,
  legend: { title: 'allocator', orient: 'right', labelLimit: 320 },
} as const;

/** Whether a relative figure spans so wide a range that a linear axis would flatten all but one bar. */
function wideRange(data: readonly Row[], field: 'relTime' | 'relRss'): boolean {
  const vals = data.flatMap((r) => [r[field], r[`${field}Min`], r[`${field}Max`]]).filter((v): v is number => v !== null && v > 0);
  return vals.length > 0 && Math.max(...vals) / Math.min(...vals) > LOG_SCALE_RATIO;
}

/**
 * Grouped bars of one relative figure with min–max error bars and the baseline's rule at 1, on a
 * log scale when the values span more than LOG_SCALE_RATIO (one 99× bar would flatten the rest),
 * in rows of at most GROUPS_PER_ROW benchmark groups.
 */
function relativePanel(field: 'relTime' | 'relRss', title: string, data: readonly Row[]): Record<string, unknown> {
  const groups = new Set(data.map((r) => r.group)).size;
  const allocators = new Set(data.map((r) => r.allocator)).size;
  const perRow = Math.min(groups, GROUPS_PER_ROW);
  const log = wideRange(data, field);
  const x = { field: 'group', type: 'nominal', sort: null, title: null, axis: { labelAngle: perRow > 3 ? -30 : 0, labelLimit: 160 } };
  const xOffset = { field: 'allocator', type: 'nominal', sort: null };
  const y = {
    field,
    type: 'quantitative',
    title: log ? '× baseline (log scale)' : '× baseline',
    scale: log ? { type: 'log' } : { zero: true },
  };
  const layers = {
    width: Math.min(900, Math.max(240, perRow * Math.max(64, allocators * 18))),
    height: 180,
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          x,
          xOffset,
          y,
          color: ALLOCATOR_COLOR,
          tooltip: [{ field: 'allocator' }, { field: 'group' }, { field, format: '.3f' }],
        },
      },
      {
        mark: { type: 'rule', color: '#333' },
        encoding: { x, xOffset, y: { field: `${field}Min`, type: 'quantitative' }, y2: { field: `${field}Max` } },
      },
      { mark: { type: 'rule', strokeDash: [4, 3], color: '#666' }, encoding: { y: { datum: 1 } } },
    ],
  };
  const transform = [{ filter: `datum.${field} !== null` }];
  if (groups <= GROUPS_PER_ROW) return { title, transform, ...layers };
  return {
    title,
    transform,
    facet: { row: { field: 'chunk', type: 'ordinal', title: null, header: { labels: false } } },
    spec: layers,
    resolve: { scale: { x: 'independent' } },
  };
}

/** Throughput against thread count, one line per allocator, one panel per benchmark. */
function threadsPanel(benchmarks: readonly string[]): Record<string, unknown> {
  const x = {
    field: 'threads',
    type: 'quantitative',
    scale: { type: 'log', base: 2 },
    axis: { tickMinStep: 1, format: 'd' },
    title: 'threads',
  };
  return {
    title: 'throughput against thread count (higher is better)',
    // Only benchmarks run at several thread counts: a one-point panel shows nothing.
    transform: [{ filter: { field: 'benchmark', oneOf: benchmarks } }],
    facet: { field: 'benchmark', type: 'nominal', sort: null, title: null },
    columns: 4,
    spec: {
      width: 220,
      height: 160,
      layer: [
        {
          mark: { type: 'area', opacity: 0.15 },
          encoding: {
            x,
            y: { field: 'throughputMin', type: 'quantitative' },
            y2: { field: 'throughputMax' },
            color: { ...ALLOCATOR_COLOR, legend: null },
          },
        },
        {
          mark: { type: 'line', point: true },
          encoding: { x, y: { field: 'throughput', type: 'quantitative', title: 'allocator ops per kcycle' }, color: ALLOCATOR_COLOR },
        },
      ],
    },
  };
}

/** The Vega-Lite spec of a summary's charts. */
export function chartSpec(s: Summary, title: string | undefined): TopLevelSpec {
  const data = rows(s);
  const panels: Array<Record<string, unknown>> = [
    relativePanel('relTime', `time relative to ${s.baseline} (lower is better)`, data),
    relativePanel('relRss', `peak RSS relative to ${s.baseline} (lower is better)`, data),
  ];
  const curves = [...new Set(data.map((r) => r.benchmark))].filter(
    (b) => new Set(data.filter((r) => r.benchmark === b).map((r) => r.threads)).size > 1,
  );
  if (curves.length > 0) panels.push(threadsPanel(curves));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(title !== undefined ? { title: { text: title, anchor: 'start', offset: 16, fontSize: 15 } } : {}),
    data: { values: data },
    vconcat: panels,
    config: { font: 'DejaVu Sans, Helvetica, Arial, sans-serif', view: { stroke: null }, background: 'white' },
  } as unknown as TopLevelSpec;
}

/** Renders a Vega-Lite spec to an SVG document headless. */
export async function renderSVG(spec: TopLevelSpec): Promise<string> {
  // Imported here, not at the top: Vega takes longer to load than the rest of the CLI together.
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  // Quiet loggers: a warning on stderr would interleave with the CLI's output.
  const compiled = vl.compile(spec, { logger: vega.logger(vega.None) }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.None });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The charts as SVG; without a title (undefined) for a page that has its own heading. */
export async function chartSVG(s: Summary, title: string | undefined): Promise<string> {
  return renderSVG(chartSpec(s, title));
}
