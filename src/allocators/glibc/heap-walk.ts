/**
 * The heap walk for the checker and heap pictures: every arena (main_arena and its `next` ring)
 * with its fastbin chunks (cached: free but marked in use), its binned chunks and its top (free),
 * and each thread's tcache entries (cached, owned by the thread), read with a quiet Cpu. A free
 * chunk is reported from its header to the end of the next chunk's prev_size word, which belongs
 * to it (a block's last 8 usable bytes are that word).
 */
import type { Cpu } from '../../machine/cpu.ts';
import type { HeapRegion } from '../kit/contract.ts';
import { CHUNK_HDR_SZ, NBINS, NFASTBINS, SIZE_SZ, TCACHE_MAX_BINS, protectPtr } from './constants.ts';
import { chunksize, fd } from './chunk.ts';
import { heapForPtr } from './arena.ts';
import {
  AV_NEXT,
  AV_TOP,
  CH_FD,
  G_INITIALIZED,
  HEAP_INFO_SIZE,
  MALLOC_STATE_SIZE,
  TC_COUNTS,
  TC_ENTRIES,
  TCACHE_STRUCT_SIZE,
  TE_NEXT,
  TLS_TCACHE,
  binAt,
  fastbinAddr,
} from './layout.ts';
import type { Ptmalloc } from './state.ts';

/** A free chunk, from its header to the end of the next chunk's prev_size word (which is its own). */
const span = (cpu: Cpu, p: number, kind: HeapRegion['kind'], owner?: number): HeapRegion => ({
  addr: p,
  size: chunksize(cpu, p) + SIZE_SZ,
  kind,
  ...(owner !== undefined ? { owner } : {}),
});

function arenaRegions(m: Ptmalloc, cpu: Cpu, av: number, out: HeapRegion[]): void {
  if (av !== m.mainArena) out.push({ addr: heapForPtr(av), size: HEAP_INFO_SIZE + MALLOC_STATE_SIZE, kind: 'metadata' });
  for (let i = 0; i < NFASTBINS; i++) {
    for (let p = cpu.load(fastbinAddr(av, i)), n = 0; p !== 0 && n < 1 << 20; n++) {
      out.push(span(cpu, p, 'cached'));
      p = protectPtr(p + CH_FD, cpu.load(p + CH_FD));
    }
  }
  for (let i = 1; i < NBINS; i++) {
    const bin = binAt(av, i);
    for (let p = fd(cpu, bin), n = 0; p !== bin && n < 1 << 22; p = fd(cpu, p), n++) out.push(span(cpu, p, 'free'));
  }
  const top = cpu.load(av + AV_TOP);
  const topSize = chunksize(cpu, top);
  if (topSize >= CHUNK_HDR_SZ) out.push({ addr: top, size: topSize, kind: 'free' });
}

function tcacheRegions(cpu: Cpu, tc: number, thread: number, out: HeapRegion[]): void {
  out.push({ addr: tc, size: TCACHE_STRUCT_SIZE, kind: 'metadata', owner: thread });
  for (let i = 0; i < TCACHE_MAX_BINS; i++) {
    let e = cpu.load(tc + TC_ENTRIES + i * 8);
    for (let n = cpu.load(tc + TC_COUNTS + i * 2, 2); e !== 0 && n > 0; n--) {
      out.push(span(cpu, e - CHUNK_HDR_SZ, 'cached', thread));
      e = protectPtr(e + TE_NEXT, cpu.load(e + TE_NEXT));
    }
  }
}

/** The regions malloc holds; `threads` are the ids whose TLS may hold a tcache. */
export function walkHeap(m: Ptmalloc, cpu: Cpu, threads: Iterable<number>): HeapRegion[] {
  const out: HeapRegion[] = [];
  if (cpu.load(m.g(G_INITIALIZED), 1) === 0) return out;
  let av = m.mainArena;
  do {
    arenaRegions(m, cpu, av, out);
    av = cpu.load(av + AV_NEXT);
  } while (av !== m.mainArena && av !== 0);
  for (const t of threads) {
    const tc = cpu.load(cpu.machine.tlsBase(t) + TLS_TCACHE);
    if (tc !== 0) tcacheRegions(cpu, tc, t, out);
  }
  return out;
}
