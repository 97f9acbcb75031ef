/**
 * Pictures of recorded heap frames: the CLI's heap map (`run --heapmap`) up to a frame, a frame's
 * `--steps` text, counters and cache misses, and a sequence of one-line heap strips (a
 * counterexample, operation by operation), all drawn with the heap map's layout and colours.
 */
import type { HeapSample } from '../../src/experiment/heap-recorder.ts';
import { layoutSegments, sampleColumn, UNMAPPED } from '../../src/report/heapmap-layout.ts';
import { colorOf, heapmapSvg } from '../../src/report/heapmap-svg.ts';
import { formatSteps } from '../../src/report/steps.ts';
import { escapeText } from './dom.ts';
import type { HeapFrame, HeapRecording } from './messages.ts';

/** The heap map of frames 0..i, as `run --heapmap` draws a whole run. */
export function heapMapUpTo(rec: HeapRecording, i: number): string {
  const samples = rec.frames.slice(0, i + 1).map((f) => f.sample);
  const threads = 1 + Math.max(0, ...samples.flatMap((s) => s.live.map((b) => b.thread)));
  return heapmapSvg(samples, {
    title: `heap map: ${rec.title}`,
    subtitle: `operations 1–${i + 1}${rec.hasHeapWalk ? '' : '; the model has no heapWalk(), so free memory is not shown'}`,
    threads,
  });
}

/** The `--steps` view of one frame (the operation, what happened, the free list after it). */
export function stepText(rec: HeapRecording, f: HeapFrame): string {
  return formatSteps({ steps: [f.step], stepsSkipped: 0, hasHeapWalk: rec.hasHeapWalk }).trimEnd();
}

/** The counters and cache misses after a frame, as a small table. */
export function countersTable(f: HeapFrame): string {
  const rows: Array<[string, string]> = [
    ['simulated time (cycles)', f.cycles.toLocaleString('en-US')],
    ['L1 misses so far', `${f.misses.l1} (allocator's: ${f.misses.allocatorL1})`],
    ['LLC misses so far', String(f.misses.llc)],
    ['coherence misses so far', String(f.misses.coherence)],
    ['live bytes', String(f.sample.liveBytes)],
    ['RSS bytes', String(f.sample.rssBytes)],
    ...Object.entries(f.counters).map(([k, v]): [string, string] => [`counter ${k}`, String(v)]),
  ];
  return `<table class="counters">${rows.map(([k, v]) => `<tr><th>${escapeText(k)}</th><td>${escapeText(v)}</td></tr>`).join('')}</table>`;
}

const STRIP_W = 640;
const STRIP_H = 14;
const COLUMNS = 160;

/** One strip per sample: the address range left to right (gaps cut out), coloured as the heap map. */
export function stripSequence(samples: readonly HeapSample[], labels: readonly string[]): string {
  const segments = layoutSegments(samples, COLUMNS);
  const cols = segments.reduce((t, s) => t + s.rows, 0) || 1;
  const cw = STRIP_W / cols;
  const rows = samples.map((s, i) => {
    const col = sampleColumn(s, segments);
    const cells: string[] = [];
    let c = 0;
    while (c < col.length) {
      let e = c;
      while (e + 1 < col.length && col[e + 1] === col[c]) e++;
      const cat = col[c] as number;
      if (cat !== UNMAPPED)
        cells.push(
          `<rect x="${(c * cw).toFixed(1)}" width="${((e - c + 1) * cw).toFixed(1)}" height="${STRIP_H}" fill="${colorOf(cat)}"/>`,
        );
      c = e + 1;
    }
    const bounds = segments
      .map(
        (g) =>
          `<line x1="${(g.row * cw).toFixed(1)}" x2="${(g.row * cw).toFixed(1)}" y1="0" y2="${STRIP_H}" stroke="#000" stroke-width="0.5"/>`,
      )
      .join('');
    return `<div class="strip"><svg width="${STRIP_W}" height="${STRIP_H}" viewBox="0 0 ${STRIP_W} ${STRIP_H}"><rect width="${STRIP_W}" height="${STRIP_H}" fill="#f4f4f4"/>${cells.join('')}${bounds}</svg><code>${escapeText(labels[i] ?? '')}</code></div>`;
  });
  return rows.join('\n');
}
