/**
 * `run --steps`: each operation and the free list after it, in the notation of OSTEP's malloc.py
 * (`ptr[0] = Alloc(24) returned ...`, `Free List [ Size 2 ]: [ addr:... sz:... ]...`), with what
 * happened on the way in brackets.
 */
import type { HeapRegion } from '../allocators/kit/contract.ts';
import type { HeapRecorder } from '../experiment/heap-recorder.ts';
import { hex } from '../sim/hex.ts';

/**
 * Each region's size as malloc.py would print it: up to the next region at most. A heap walk may
 * report a free chunk through the next chunk's prev_size word (glibc: a cached 32-byte chunk as 40
 * bytes), which would print as overlapping the next block.
 */
function shownSizes(regions: readonly HeapRegion[]): Map<HeapRegion, number> {
  const sorted = [...regions].sort((a, b) => a.addr - b.addr);
  return new Map(
    sorted.map((r, i) => {
      const next = sorted[i + 1];
      return [r, next === undefined || next.addr <= r.addr ? r.size : Math.min(r.size, next.addr - r.addr)];
    }),
  );
}

function list(title: string, regions: readonly HeapRegion[], max: number, sizes: Map<HeapRegion, number>): string {
  const shown = regions
    .slice(0, max)
    .map((r) => `[ addr:${hex(r.addr)} sz:${sizes.get(r) ?? r.size} ]`)
    .join('');
  const more = regions.length > max ? ` ... (${regions.length - max} more)` : '';
  return `${title} [ Size ${regions.length} ]: ${shown}${more}`;
}

export function formatSteps(rec: Pick<HeapRecorder, 'steps' | 'stepsSkipped' | 'hasHeapWalk'>, maxEntries = 8): string {
  const out: string[] = [];
  if (!rec.hasHeapWalk) out.push('(this model has no heapWalk(): its free list cannot be shown, only the operations)', '');
  for (const s of rec.steps) {
    out.push(s.notes.length > 0 ? `${s.text}  [${s.notes.join('; ')}]` : s.text);
    if (s.regions !== undefined) {
      const sizes = shownSizes(s.regions);
      out.push(
        list(
          'Free List',
          s.regions.filter((r) => r.kind === 'free'),
          maxEntries,
          sizes,
        ),
      );
      const cached = s.regions.filter((r) => r.kind === 'cached');
      if (cached.length > 0) out.push(list('Cached', cached, maxEntries, sizes));
    }
    out.push('');
  }
  if (rec.stepsSkipped > 0) out.push(`... ${rec.stepsSkipped} more operations not shown (raise --steps-limit)`, '');
  return `${out.join('\n')}\n`;
}
