/**
 * Block padding (mimalloc src/alloc.c, MI_PADDING with MI_PADDING_CHECK, on when MI_SECURE >= 3):
 * every block ends with an 8-byte mi_padding_t { u32 canary; u32 delta }, so requests move up a
 * size class (a 64-byte request needs 72 bytes: the 80-byte bin). The canary is the low half of
 * the block's address encoded with the page keys; `delta` is the slack between the requested size
 * and the padding, whose first (up to 16) bytes are filled with 0xDE. `free` checks both:
 * a write past the requested size is a detected heap-block overflow.
 */
import { AllocatorAbort } from '../kit/contract.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { encode, out } from './encode.ts';
import { readKeys, segmentOf, type Mi } from './internal.ts';
import { DEBUG_PADDING, MAX_ALIGN, PADDING_SIZE, SEGMENT_HUGE } from './types.ts';

function canaryOf(m: Mi, cpu: Cpu, page: number, block: number): number {
  readKeys(cpu, page + m.layout.page.keys, m.pageKeys);
  encode(page, block, m.pageKeys);
  return out.lo;
}

function isHugePage(m: Mi, cpu: Cpu, page: number): boolean {
  return cpu.load(segmentOf(page) + m.layout.segment.kind, 4) === SEGMENT_HUGE;
}

/** alloc.c _mi_page_malloc (MI_PADDING): write the padding of a block allocated for `size` (padded) bytes. */
export function writePadding(m: Mi, cpu: Cpu, page: number, block: number, bsize: number, size: number): void {
  const usable = bsize - PADDING_SIZE;
  const padding = block + usable;
  const delta = padding - block - (size - PADDING_SIZE);
  cpu.store(padding, canaryOf(m, cpu, page, block), 4);
  cpu.store(padding + 4, delta, 4);
  if (!isHugePage(m, cpu, page)) {
    const n = Math.min(delta, MAX_ALIGN);
    if (n > 0) cpu.fill(padding - delta, n, DEBUG_PADDING, 0);
  }
}

/** alloc.c mi_page_decode_padding: [delta, ok]. */
function decodePadding(m: Mi, cpu: Cpu, page: number, block: number, bsize: number): [number, boolean] {
  const usable = bsize - PADDING_SIZE;
  const canary = cpu.load(block + usable, 4);
  const delta = cpu.load(block + usable + 4, 4);
  return [delta, canary === canaryOf(m, cpu, page, block) && delta <= usable];
}

/** alloc.c mi_page_usable_size_of: the exact requested size with padding, else the block size. */
export function usableSizeOf(m: Mi, cpu: Cpu, page: number, block: number, bsize: number): number {
  if (m.cfg.padding === 0) return bsize;
  const [delta, ok] = decodePadding(m, cpu, page, block, bsize);
  return ok ? bsize - PADDING_SIZE - delta : 0;
}

/** alloc.c _mi_padding_shrink: make the usable size at least `min` (for the delayed-free link, or an aligned block). */
export function paddingShrink(m: Mi, cpu: Cpu, page: number, block: number, bsize: number, min: number): void {
  if (m.cfg.padding === 0) return;
  const [delta, ok] = decodePadding(m, cpu, page, block, bsize);
  const usable = bsize - PADDING_SIZE;
  if (!ok || usable - delta >= min || usable < min) return;
  cpu.store(block + usable + 4, usable - min, 4);
}

/** alloc.c mi_check_padding: a wrong canary or overwritten fill bytes is a buffer overflow (EFAULT: abort). */
export function checkPadding(m: Mi, cpu: Cpu, page: number, block: number, bsize: number): void {
  if (m.cfg.padding === 0) return;
  const [delta, ok] = decodePadding(m, cpu, page, block, bsize);
  const usable = bsize - PADDING_SIZE;
  let size = usable;
  let wrong = usable;
  let good = ok;
  if (ok) {
    size = usable - delta;
    if (!isHugePage(m, cpu, page)) {
      // the byte loop over at most 16 fill bytes: charged as one read of their line(s)
      const n = Math.min(delta, MAX_ALIGN);
      cpu.touch(block + size, n, false, 0);
      const fill = m.machine.peekBytes(block + size, n);
      const i = fill.findIndex((b) => b !== DEBUG_PADDING);
      if (i >= 0) {
        wrong = size + i;
        good = false;
      }
    }
  }
  if (!good) {
    throw new AllocatorAbort(
      `mimalloc: error: buffer overflow in heap block 0x${block.toString(16)} of size ${size}: write after ${wrong} bytes`,
      block,
    );
  }
}
