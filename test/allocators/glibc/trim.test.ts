/**
 * When glibc gives memory back, and when it cannot: the top chunk is trimmed (sbrk(-n) for the
 * main heap, madvise for a thread heap) once a large free leaves it past the trim threshold, and
 * one live chunk near the top of the main heap pins everything below it.
 */
import { describe, expect, it } from 'vitest';
import { BRK_BASE } from '../../../src/machine/mappings.ts';
import { fill, glibcRig } from './helpers.ts';

const N = 300;
const SIZE = 2000; // a 2016-byte chunk: above the tcache and fastbin limits, so every free coalesces

/** One thread that filled the main heap with N blocks, and the figures before any free. */
function filledMainHeap() {
  const rig = glibcRig();
  const c = rig.cpus[0]!;
  const blocks = fill(rig, c, N, SIZE);
  const as = rig.machine.as;
  return { rig, c, blocks, as, rssFull: as.rssBytes, brkCalls: as.syscalls.brk };
}

describe('glibc trimming', () => {
  it('frees that merge into top past trim_threshold shrink the main heap with brk: RSS falls', () => {
    const { rig, c, blocks, as, rssFull, brkCalls } = filledMainHeap();
    expect(as.brkEnd - BRK_BASE).toBeGreaterThan(N * SIZE);
    for (const p of blocks) rig.model.free(c, p);
    expect(as.syscalls.brk).toBeGreaterThan(brkCalls);
    expect(rig.model.counters.get('systrims')).toBe(1);
    expect(rssFull - as.rssBytes).toBeGreaterThan(N * SIZE - 160 * 1024);
    // What is left is the tcache struct plus top_pad (128 KiB) and less than a page.
    expect(as.brkEnd - BRK_BASE).toBeLessThan(128 * 1024 + 672 + 2 * 4096);
  });

  it('the same frees in a thread arena shrink its heap with madvise(MADV_DONTNEED)', () => {
    const rig = glibcRig({}, 2);
    const t1 = rig.cpus[1]!;
    rig.model.malloc(rig.cpus[0]!, 16); // thread 0 takes main_arena, as the process's first malloc
    const blocks = fill(rig, t1, N, SIZE);
    const as = rig.machine.as;
    expect(blocks[0]! > as.brkEnd).toBe(true); // in an mmapped heap, not the brk heap
    const rssFull = as.rssBytes;
    const madvise = as.syscalls.madvise;
    const brk = as.syscalls.brk;
    for (const p of blocks) rig.model.free(t1, p);
    expect(as.syscalls.madvise).toBe(madvise + 1);
    expect(as.syscalls.brk).toBe(brk);
    expect(rig.model.counters.get('heapShrinks')).toBe(1);
    expect(rssFull - as.rssBytes).toBeGreaterThan(N * SIZE - 160 * 1024);
  });

  it('one live chunk at the top of the main heap pins all the memory below it', () => {
    const { rig, c, blocks, as, rssFull, brkCalls } = filledMainHeap();
    const last = blocks.pop()!;
    for (const p of blocks) rig.model.free(c, p);
    // Everything below `last` coalesced into one free chunk, but it does not border top: no trim.
    expect(as.syscalls.brk).toBe(brkCalls);
    expect(rig.model.counters.get('systrims')).toBe(0);
    expect(as.rssBytes).toBe(rssFull);
    // Freeing the pin merges it all into top, and the heap is trimmed at once.
    rig.model.free(c, last);
    expect(rig.model.counters.get('systrims')).toBe(1);
    expect(rssFull - as.rssBytes).toBeGreaterThan(N * SIZE - 160 * 1024);
  });

  it('freeing in reverse order trims nothing: the top-adjacent chunks go to the tcache and pin top', () => {
    const rig = glibcRig();
    const c = rig.cpus[0]!;
    const blocks = fill(rig, c, N, 1000); // tcache-sized chunks (1008 bytes)
    const rssFull = rig.machine.as.rssBytes;
    for (const p of [...blocks].reverse()) rig.model.free(c, p);
    expect(rig.model.counters.get('systrims')).toBe(0);
    expect(rig.machine.as.rssBytes).toBe(rssFull);
  });
});
