/**
 * `run --steps`: each operation and the free list after it, in the notation of OSTEP's malloc.py
 * (`ptr[0] = Alloc(24) returned ...`, `Free List [ Size 2 ]: [ addr:... sz:... ]...`), with what
 * happened on the way in brackets.
 */
import type { HeapRegion } from '../allocators/contract.ts';
import type { HeapRecorder } from '../experiment/heap-recorder.ts';
import { hex } from '../sim/hex.ts';


function list(title: string, regions: readonly HeapRegion[], max: number): string {
  const shown = regions.slice(0, max).map((r) => `[ addr:${hex(r.addr)} sz:${r.size} ]`).join('');
  const more = regions.length > max ? ` ... (${regions.length - max} more)` : '';
  return `${title} [ Size ${regions.length} ]: ${shown}${more}`;
}

export function formatSteps(rec: HeapRecorder, maxEntries = 8): string {
  const out: string[] = [];
  if (!rec.hasHeapWalk) out.push('(this model has no heapWalk(): its free list cannot be shown, only the operations)', '');
  for (const s of rec.steps) {
    out.push(s.notes.length > 0 ? `${s.text}  [${s.notes.join('; ')}]` : s.text);
    if (s.regions !== undefined) {
      out.push(list('Free List', s.regions.filter((r) => r.kind === 'free'), maxEntries));
      const cached = s.regions.filter((r) => r.kind === 'cached');
      if (cached.length > 0) out.push(list('Cached', cached, maxEntries));
    }
    out.push('');
  }
  if (rec.stepsSkipped > 0) out.push(`... ${rec.stepsSkipped} more operations not shown (raise --steps-limit)`, '');
  return `${out.join('\n')}\n`;
}
