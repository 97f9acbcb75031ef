/**
 * The layout of a heap map: which addresses get rows (the address space is sparse, so the ranges
 * the heap uses are cut into segments and stacked, gaps left out), and what each row shows in each
 * sample: the kind of memory covering most of it.
 */
import type { HeapSample } from '../experiment/heap-recorder.ts';

export interface Segment {
  start: number;
  end: number;
  /** First row and number of rows. */
  row: number;
  rows: number;
}

/** What a cell shows: a live block of thread t (t >= 0), or a kind of heap memory. */
export const FREE = -1;
export const CACHED = -2;
export const METADATA = -3;
/** Mapped, but neither a live payload nor reported by the heap walk: headers, padding, untouched. */
export const OVERHEAD = -4;
/** Not mapped at that time. */
export const UNMAPPED = -5;

interface Interval {
  start: number;
  end: number;
  cat: number;
}

const KIND: Record<string, number> = { free: FREE, cached: CACHED, metadata: METADATA };

function intervalsOf(s: HeapSample): Interval[] {
  const xs: Interval[] = s.live.map((b) => ({ start: b.addr, end: b.addr + b.size, cat: b.thread }));
  for (const r of s.regions) xs.push({ start: r.addr, end: r.addr + r.size, cat: KIND[r.kind] ?? METADATA });
  return xs.sort((a, b) => a.start - b.start);
}

/**
 * Where the heap's activity is: live blocks, cached blocks and metadata. Free regions alone do not
 * make the map wider (snmalloc reports its whole 16 MiB reservation as free, which drew all the
 * activity in a thin strip); they are drawn where they lie among the activity.
 */
function activity(samples: readonly HeapSample[]): Interval[] {
  const all = samples.flatMap(intervalsOf);
  const active = all.filter((x) => x.cat !== FREE);
  return active.length > 0 ? active : all;
}

/** Address ranges of the heap's activity at any sample, merged across gaps up to `gap` bytes. */
function merge(samples: readonly HeapSample[], gap: number): Array<{ start: number; end: number }> {
  const all = activity(samples).sort((a, b) => a.start - b.start);
  const out: Array<{ start: number; end: number }> = [];
  for (const x of all) {
    const last = out[out.length - 1];
    if (last !== undefined && x.start <= last.end + gap) last.end = Math.max(last.end, x.end);
    else out.push({ start: x.start, end: x.end });
  }
  return out;
}

/**
 * Segments of the address axis and their rows: gaps over 64 KiB are cut out (wider if that leaves
 * too many segments); rows are shared by length, with a minimum per segment.
 */
export function layoutSegments(samples: readonly HeapSample[], totalRows: number, maxSegments = 8): Segment[] {
  let gap = 64 * 1024;
  let ranges = merge(samples, gap);
  while (ranges.length > maxSegments) {
    gap *= 4;
    ranges = merge(samples, gap);
  }
  const minRows = 4;
  const spare = Math.max(0, totalRows - minRows * ranges.length);
  const span = ranges.reduce((s, r) => s + (r.end - r.start), 0) || 1;
  let row = 0;
  return ranges.map((r) => {
    const rows = minRows + Math.floor((spare * (r.end - r.start)) / span);
    const seg = { start: r.start, end: r.end, row, rows };
    row += rows;
    return seg;
  });
}

/** The most free bytes any sample has outside the drawn segments (what the map leaves out). */
export function freeLeftOut(samples: readonly HeapSample[], segments: readonly Segment[]): number {
  let most = 0;
  for (const s of samples) {
    let out = 0;
    for (const r of s.regions) {
      if (r.kind !== 'free') continue;
      const inside = segments.reduce((t, g) => t + Math.max(0, Math.min(g.end, r.addr + r.size) - Math.max(g.start, r.addr)), 0);
      out += r.size - inside;
    }
    most = Math.max(most, out);
  }
  return most;
}

function mappedAt(s: HeapSample, addr: number): boolean {
  return s.mapped.some((m) => addr >= m.start && addr < m.end);
}

/** The category of each row in one sample (rows top to bottom, low addresses first). */
export function sampleColumn(s: HeapSample, segments: readonly Segment[]): number[] {
  const xs = intervalsOf(s);
  const out: number[] = [];
  let j = 0;
  for (const seg of segments) {
    const per = (seg.end - seg.start) / seg.rows;
    for (let k = 0; k < seg.rows; k++) {
      const a0 = seg.start + k * per;
      const a1 = a0 + per;
      while (j < xs.length && (xs[j] as Interval).end <= a0) j++;
      const cover = new Map<number, number>();
      for (let i = j; i < xs.length && (xs[i] as Interval).start < a1; i++) {
        const x = xs[i] as Interval;
        const c = Math.min(a1, x.end) - Math.max(a0, x.start);
        if (c > 0) cover.set(x.cat, (cover.get(x.cat) ?? 0) + c);
      }
      let best = mappedAt(s, a0 + per / 2) ? OVERHEAD : UNMAPPED;
      let bestCover = best === OVERHEAD ? per - [...cover.values()].reduce((t, c) => t + c, 0) : 0;
      for (const [cat, c] of cover) {
        if (c > bestCover) {
          best = cat;
          bestCover = c;
        }
      }
      out.push(best);
    }
  }
  return out;
}

/** External fragmentation of a sample's free regions: 1 - largest free / all free (0 with none). */
export function externalFragmentation(s: HeapSample): number {
  const free = s.regions.filter((r) => r.kind === 'free');
  const total = free.reduce((t, r) => t + r.size, 0);
  const largest = free.reduce((m, r) => Math.max(m, r.size), 0);
  return total === 0 ? 0 : 1 - largest / total;
}
