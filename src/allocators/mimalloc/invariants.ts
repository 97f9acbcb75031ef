/**
 * mimalloc's expensive debug assertions (MI_DEBUG >= 3) as the model's debug invariants
 * (src/allocators/shared/invariants.ts): src/page.c `mi_page_is_valid_init` / `_mi_page_is_valid`
 * (with `mi_page_list_is_valid`, `mi_page_list_count`) and src/segment.c `mi_segment_is_valid`
 * (with `mi_span_queue_contains`). The page, segment and span queue code calls them where
 * mi_assert_expensive does (page.c, segment.c of 2cca58).
 */
import type { Cpu } from '../../machine/cpu.ts';
import { hex } from '../../sim/hex.ts';
import { Invariant } from '../shared/invariants.ts';
import { newKeys } from './encode.ts';
import { blockSize, loadLink, pageAreaSize, pageStart, sliceAt, tfBlock, type Mi } from './internal.ts';
import { pageQueueOf } from './page-queue.ts';
import { cookieOf } from './segment.ts';
import { sliceBin } from './segment-span.ts';
import { MAX_SLICE_OFFSET, Q_FIRST, Q_SIZE, SEGMENT_HUGE, SEGMENT_NORMAL } from './types.ts';

/** `_mi_page_is_valid` (with its queue) at the check sites that pass this; else `mi_page_is_valid_init`. */
export const PAGE_IN_QUEUE = 1;

export interface MiInvariants {
  page: Invariant;
  /** The second argument is the thread's tld (its span queues). */
  segment: Invariant;
}

export function mimallocInvariants(mi: () => Mi): MiInvariants {
  const keys = newKeys();
  return {
    page: new Invariant('mimalloc page', (cpu, page, inQueue) => pageProblem(mi(), cpu, page, inQueue === PAGE_IN_QUEUE, keys)),
    segment: new Invariant('mimalloc segment', (cpu, segment, tld) => segmentProblem(mi(), cpu, segment, tld)),
  };
}

/**
 * page.c mi_page_list_is_valid + mi_page_list_count: every block of the list at `head` lies in the
 * page's block area (and, as `_mi_page_ptr_unalign` assumes, at a multiple of the block size from
 * its start); returns the count, or what is wrong. A list longer than the page's capacity is a cycle.
 */
function listCount(m: Mi, cpu: Cpu, page: number, head: number, what: string, k: ReturnType<typeof newKeys>): number | string {
  const bsize = blockSize(m, cpu, page);
  const start = pageStart(m, cpu, page, bsize);
  const end = start + pageAreaSize(m, cpu, page, bsize);
  const capacity = cpu.load(page + m.layout.page.capacity, 2);
  let n = 0;
  for (let p = head; p !== 0; p = loadLink(m, cpu, p, page, page + m.layout.page.keys, k)) {
    if (p < start || p >= end) return `${what} list holds ${hex(p)}, outside the page's blocks [${hex(start)}, ${hex(end)})`;
    if ((p - start) % bsize !== 0) return `${what} list holds ${hex(p)}, not at a block boundary (block size ${bsize})`;
    if (++n > capacity) return `${what} list has more blocks than the capacity (${capacity}): a cycle`;
  }
  return n;
}

function pageProblem(m: Mi, cpu: Cpu, page: number, inQueue: boolean, k: ReturnType<typeof newKeys>): string | null {
  const P = m.layout.page;
  const xblock = cpu.load(page + P.blockSize, P.blockSizeSize);
  if (xblock === 0) return 'xblock_size is 0';
  const used = cpu.load(page + P.used, P.usedSize);
  const capacity = cpu.load(page + P.capacity, 2);
  const reserved = cpu.load(page + P.reserved, 2);
  if (used > capacity) return `used (${used}) > capacity (${capacity})`;
  if (capacity > reserved) return `capacity (${capacity}) > reserved (${reserved})`;
  const free = listCount(m, cpu, page, cpu.load(page + P.free), 'the free', k);
  if (typeof free === 'string') return free;
  const local = listCount(m, cpu, page, cpu.load(page + P.localFree), 'the local_free', k);
  if (typeof local === 'string') return local;
  const thread = listCount(m, cpu, page, tfBlock(cpu.load(page + P.xthreadFree)), 'the thread_free', k);
  if (typeof thread === 'string') return thread;
  if (used + free + local !== capacity) return `used (${used}) + free (${free}) + local_free (${local}) blocks != capacity (${capacity})`;
  if (P.keys >= 0 && cpu.load(page + P.keys) === 0 && cpu.load(page + P.keys + 4, 4) === 0) return 'keys[0] is 0 (MI_SECURE)';
  const heap = cpu.load(page + P.xheap);
  if (!inQueue || heap === 0) return null;
  // _mi_page_is_valid: the page is in the queue of its heap it belongs to, which holds its size.
  const pq = pageQueueOf(m, cpu, page);
  let found = false;
  for (let q = cpu.load(pq + Q_FIRST), n = 0; q !== 0 && n < 1 << 20; q = cpu.load(q + P.next), n++) {
    if (q === page) {
      found = true;
      break;
    }
  }
  if (!found) return `not in its page queue ${hex(pq)}`;
  const bsize = blockSize(m, cpu, page);
  const qsize = cpu.load(pq + Q_SIZE);
  const inFull = (cpu.load(page + P.flags, 1) & 1) !== 0;
  if (qsize !== bsize && bsize <= m.cfg.mediumObjSizeMax && !inFull)
    return `in the queue of ${qsize}-byte blocks, but its blocks are ${bsize} bytes`;
  return null;
}

/** segment.c mi_segment_is_valid (the thread-id and commit-mask assertions left out: see docs/models/mimalloc.md). */
function segmentProblem(m: Mi, cpu: Cpu, segment: number, tld: number): string | null {
  const S = m.layout.segment;
  const P = m.layout.page;
  if (cookieOf(m, cpu, segment) !== cpu.load(segment + S.cookie)) return 'the cookie does not match the segment address';
  const kind = cpu.load(segment + S.kind, 4);
  if (kind !== SEGMENT_NORMAL && kind !== SEGMENT_HUGE) return `kind is ${kind}, neither normal nor huge`;
  const used = cpu.load(segment + S.used);
  const abandoned = cpu.load(segment + S.abandoned);
  if (abandoned > used) return `abandoned (${abandoned}) > used (${used})`;
  const entries = cpu.load(segment + S.sliceEntries);
  const infoSlices = cpu.load(segment + S.infoSlices);
  const owned = cpu.load(segment + S.threadId) !== 0;
  const at = (i: number): number => sliceAt(m, segment, i);
  let usedCount = 0;
  let index = 0;
  while (index < entries) {
    const slice = at(index);
    const count = cpu.load(slice + P.sliceCount, 4);
    if (count === 0) return `slice ${index} starts a span but has slice_count 0`;
    if (cpu.load(slice + P.sliceOffset, 4) !== 0) return `slice ${index} starts a span but has a back offset`;
    const maxIndex = Math.min(index + count, entries) - 1;
    if (cpu.load(slice + P.blockSize, P.blockSizeSize) > 0) {
      usedCount++;
      for (let i = 1; i <= MAX_SLICE_OFFSET && index + i <= maxIndex; i++) {
        const s = at(index + i);
        if (
          cpu.load(s + P.sliceOffset, 4) !== i * P.size ||
          cpu.load(s + P.sliceCount, 4) !== 0 ||
          cpu.load(s + P.blockSize, P.blockSizeSize) !== 1
        ) {
          return `slice ${index + i} of the page at slice ${index} lacks its back offset`;
        }
      }
      const last = slice + (count - 1) * P.size;
      if (last > slice && last < at(entries)) {
        if (cpu.load(last + P.sliceOffset, 4) !== (count - 1) * P.size || cpu.load(last + P.sliceCount, 4) !== 0) {
          return `the last slice of the page at slice ${index} lacks its back offset`;
        }
      }
    } else {
      const last = at(maxIndex);
      if (kind !== SEGMENT_HUGE || count <= entries - infoSlices) {
        if (last - cpu.load(last + P.sliceOffset, 4) !== slice)
          return `the last slice of the free span at slice ${index} does not lead back to it`;
      }
      if (last !== slice && cpu.load(last + P.sliceCount, 4) !== 0)
        return `the last slice of the free span at slice ${index} has a slice_count`;
      const lastXblock = cpu.load(last + P.blockSize, P.blockSizeSize);
      if (lastXblock !== 0 && !(kind === SEGMENT_HUGE && lastXblock === 1))
        return `the last slice of the free span at slice ${index} is marked used`;
      if (kind !== SEGMENT_HUGE && owned && !spanQueueContains(m, cpu, tld, count, slice))
        return `the free span at slice ${index} is not in its span queue`;
    }
    index = maxIndex + 1;
  }
  if (usedCount !== used + 1) return `${usedCount} spans in use, but used is ${used} (+1 for the header)`;
  return null;
}

/** segment.c mi_span_queue_contains, in the span queue of `count` slices of `tld`. */
function spanQueueContains(m: Mi, cpu: Cpu, tld: number, count: number, slice: number): boolean {
  const sq = tld + m.layout.tld.spans + sliceBin(count) * m.layout.queueSize;
  for (let s = cpu.load(sq + Q_FIRST), n = 0; s !== 0 && n < 1 << 20; s = cpu.load(s + m.layout.page.next), n++) {
    if (s === slice) return true;
  }
  return false;
}
