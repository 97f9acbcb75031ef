/**
 * The heap walk (quiet reads) of design 1: every superpage reachable from a live thread's heap or
 * from the orphanage. A bin whose local_free bit is set is free; one whose remote_free bit is set
 * was freed by another thread and is reported as cached: by design it stays invisible to the
 * owner until its slab fills, the superpage is adopted, or the owner exits and merges it.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { bit64 } from '../shared/bits64.ts';
import { pointerField } from '../shared/odin-runtime/tagged-pointer.ts';
import type { HeapRegion } from '../kit/contract.ts';
import {
  G_ORPHANAGE,
  MAX_BIN_SIZE,
  P_HUGE_SIZE,
  P_NEXT,
  S_BIN_SIZE,
  S_DATA,
  S_LOCAL_FREE,
  S_MAX_BINS,
  S_REMOTE_FREE,
  SLAB_COUNT,
  SLAB_SIZE,
  T_LOCAL_HEAP,
  slabAt,
  slabsNeededForSize,
} from './layout.ts';

export function feoraHeapWalk(cpu: Cpu, globals: number, tlsBases: Iterable<number>): HeapRegion[] {
  const out: HeapRegion[] = [];
  const seen = new Set<number>();
  const walk = (first: number): void => {
    for (let sp = first; sp !== 0 && !seen.has(sp); sp = cpu.load(sp + P_NEXT)) {
      seen.add(sp);
      if (cpu.load(sp + P_HUGE_SIZE) === 0) superpageRegions(cpu, sp, out);
    }
  };
  for (const tls of tlsBases) walk(cpu.load(tls + T_LOCAL_HEAP));
  walk(pointerField(cpu.load(globals + G_ORPHANAGE)));
  return out;
}

/** Appends a region, extending the previous one when it is adjacent and of the same kind. */
function push(out: HeapRegion[], addr: number, size: number, kind: HeapRegion['kind']): void {
  const last = out[out.length - 1];
  if (last !== undefined && last.kind === kind && last.addr + last.size === addr) last.size += size;
  else out.push({ addr, size, kind });
}

/**
 * A superpage's regions. Its header slab (the superpage's fields and cache block) and each slab's
 * header (its fields and bitmaps, before its first bin) and unused tail belong to no object: the
 * allocator's. (A slab is formatted again for each bin size, so an object freed while the slab held
 * wide allocations may lie in the header it has now.)
 */
function superpageRegions(cpu: Cpu, sp: number, out: HeapRegion[]): void {
  push(out, sp, slabAt(sp, 0) - sp, 'metadata');
  for (let i = 0; i < SLAB_COUNT;) {
    const slab = slabAt(sp, i);
    const bin = cpu.load(slab + S_BIN_SIZE);
    if (bin === 0) {
      push(out, slab, SLAB_SIZE, 'free'); // a free slab, ready for any rank
      i++;
      continue;
    }
    const data = cpu.load(slab + S_DATA);
    const local = cpu.load(slab + S_LOCAL_FREE);
    const remote = cpu.load(slab + S_REMOTE_FREE);
    push(out, slab, data - slab, 'metadata');
    if (bin > MAX_BIN_SIZE) {
      const n = slabsNeededForSize(bin);
      if ((cpu.load64(remote) & 1) === 1) out.push({ addr: data, size: slab + n * SLAB_SIZE - data, kind: 'cached' });
      i += n;
      continue;
    }
    const max = cpu.load(slab + S_MAX_BINS);
    if (data + max * bin < slab + SLAB_SIZE)
      out.push({ addr: data + max * bin, size: slab + SLAB_SIZE - data - max * bin, kind: 'metadata' });
    for (let w = 0; w * 64 < max; w++) {
      const llo = cpu.load64(local + 8 * w);
      const lhi = cpu.hi;
      const rlo = cpu.load64(remote + 8 * w);
      const rhi = cpu.hi;
      if ((llo | lhi | rlo | rhi) === 0) continue;
      for (let k = 0; k < 64 && w * 64 + k < max; k++) {
        const addr = data + (w * 64 + k) * bin;
        if (bit64(llo, lhi, k) === 1) push(out, addr, bin, 'free');
        else if (bit64(rlo, rhi, k) === 1) push(out, addr, bin, 'cached');
      }
    }
    i++;
  }
}
