/**
 * The heap walk (quiet reads) of design 2: every segment of a live thread's heap and of the two
 * orphanages. Free: blocks on a slab's free list, bins never bumped, slabs not in use, empty
 * orphaned segments. Cached: blocks on a heap's or a slab's remote free list (merged at the owner's
 * next allocation, or when the segment is adopted).
 */
import type { Cpu } from '../../machine/cpu.ts';
import { pointerField } from '../shared/odin-runtime/tagged-pointer.ts';
import type { HeapRegion } from '../kit/contract.ts';
import { slabFor } from './context.ts';
import {
  G_NEXT_SEGMENT,
  G_SIZE,
  G_SLABS_DATA,
  G_SLABS_LEN,
  H_REMOTE_FREE_LIST,
  H_SEGMENTS,
  L_BIN_SIZE,
  L_CAPACITY,
  L_DATA,
  L_FREE_LIST,
  L_MAX_BINS,
  L_REMOTE_FREE_LIST,
  L_USED_BINS,
  O_EMPTY,
  O_IN_USE,
  ORPHANAGE_COUNT_BITS,
  SLAB_RECORD_SIZE,
  T_LOCAL_HEAP,
  segmentOf,
} from './layout.ts';

export function v2HeapWalk(cpu: Cpu, globals: number, segmentSize: number, tlsBases: Iterable<number>): HeapRegion[] {
  const out: HeapRegion[] = [];
  const seen = new Set<number>();
  const segments = (first: number): void => {
    for (let s = first; s !== 0 && !seen.has(s); s = cpu.load(s + G_NEXT_SEGMENT)) {
      seen.add(s);
      segmentRegions(cpu, s, out);
    }
  };
  for (const tls of tlsBases) {
    const heap = cpu.load(tls + T_LOCAL_HEAP);
    if (heap === 0) continue;
    segments(cpu.load(heap + H_SEGMENTS));
    const binOf = (p: number): number => cpu.load(slabFor(cpu, segmentOf(p, segmentSize), p) + L_BIN_SIZE);
    chain(cpu, pointerField(cpu.load(heap + H_REMOTE_FREE_LIST)), 'cached', out, binOf);
  }
  segments(pointerField(cpu.load(globals + O_IN_USE)));
  const emptyField = pointerField(cpu.load(globals + O_EMPTY));
  for (let s = emptyField - (emptyField % (ORPHANAGE_COUNT_BITS + 1)); s !== 0 && !seen.has(s); s = cpu.load(s + G_NEXT_SEGMENT)) {
    seen.add(s);
    out.push({ addr: s, size: cpu.load(s + G_SIZE), kind: 'free' });
  }
  return out;
}

function segmentRegions(cpu: Cpu, segment: number, out: HeapRegion[]): void {
  const slabs = cpu.load(segment + G_SLABS_DATA);
  const n = cpu.load(segment + G_SLABS_LEN);
  for (let i = 0; i < n; i++) {
    const slab = slabs + i * SLAB_RECORD_SIZE;
    const data = cpu.load(slab + L_DATA);
    const bin = cpu.load(slab + L_BIN_SIZE);
    if (bin === 0) {
      out.push({ addr: data, size: cpu.load(slab + L_CAPACITY), kind: 'free' });
      continue;
    }
    const used = cpu.load(slab + L_USED_BINS);
    const max = cpu.load(slab + L_MAX_BINS);
    if (used < max) out.push({ addr: data + used * bin, size: (max - used) * bin, kind: 'free' });
    chain(cpu, cpu.load(slab + L_FREE_LIST), 'free', out, () => bin);
    const remote = pointerField(cpu.load(slab + L_REMOTE_FREE_LIST));
    chain(cpu, remote - (remote % 2), 'cached', out, () => bin);
  }
}

/** A free list through the blocks' first words (a heap's remote list mixes sizes: each block takes its slab's bin size). */
function chain(cpu: Cpu, first: number, kind: HeapRegion['kind'], out: HeapRegion[], binOf: (p: number) => number): void {
  const seen = new Set<number>();
  for (let p = first; p !== 0 && !seen.has(p); p = cpu.load(p)) {
    seen.add(p);
    out.push({ addr: p, size: binOf(p), kind });
  }
}
