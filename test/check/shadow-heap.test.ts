/**
 * The shadow heap's view of memory a model gives back to the OS: a block's own pages may leave
 * during its free, and an object whose memory left after a remote free is not lost.
 */
import { describe, expect, it } from 'vitest';
import { ShadowHeap } from '../../src/check/shadow-heap.ts';
import { Machine } from '../../src/machine/machine.ts';
import { machinePreset } from '../../src/machine/presets.ts';

function setup(): { m: Machine; heap: ShadowHeap } {
  const m = new Machine(machinePreset('default'));
  return { m, heap: new ShadowHeap(m) };
}

describe('shadow heap and memory returned to the OS', () => {
  it('a block unmapped by its own free is not released-under-live; another live block on the page is', () => {
    const { m, heap } = setup();
    const c = m.cpu(0, 0);
    const a = c.mmap(8192);
    heap.allocated(0, 'malloc', a + 16, 5000, 16, 8000);
    c.store(a, 1);
    heap.releasing = a + 16;
    c.munmap(a, 8192);
    heap.released(0, a + 16);
    expect(heap.violations).toEqual([]);
    const b = c.mmap(4096);
    heap.allocated(0, 'malloc', b + 16, 100, 16, 100);
    heap.allocated(0, 'malloc', b + 128, 100, 16, 100);
    c.store(b, 1);
    heap.releasing = b + 16;
    c.munmap(b, 4096);
    expect(heap.violations.map((v) => v.kind)).toEqual(['released-under-live']);
  });

  it('a remotely freed object is lost only if its memory stayed in the process and is not free in the heap', () => {
    const { m, heap } = setup();
    const c = m.cpu(0, 0);
    const kept = c.mmap(4096);
    const gone = c.mmap(8192);
    heap.allocated(0, 'malloc', kept + 64, 32, 16, 32);
    c.store(kept, 1); // its page stays resident
    heap.allocated(0, 'malloc', gone + 4096, 0, 16, 16); // its page is never touched
    heap.releasing = kept + 64;
    heap.released(1, kept + 64);
    heap.releasing = gone + 4096;
    heap.released(1, gone + 4096);
    c.munmap(gone, 8192);
    c.mmap(8192); // the same range mapped again, for something else
    heap.checkLost([]);
    expect(heap.violations.map((v) => [v.kind, v.address])).toEqual([['lost-object', kept + 64]]);
  });

  /** A resident page with an 8-byte object at `offset` allocated by thread 0 and freed by thread 1. */
  function remotelyFreed(offset: number): { heap: ShadowHeap; a: number } {
    const { m, heap } = setup();
    const c = m.cpu(0, 0);
    const a = c.mmap(4096);
    c.store(a, 1);
    heap.allocated(0, 'malloc', a + offset, 8, 16, 8);
    heap.releasing = a + offset;
    heap.released(1, a + offset);
    return { heap, a };
  }

  it("a remotely freed object whose bytes became allocator metadata (a coalesced chunk's tag) is not lost", () => {
    const { heap, a } = remotelyFreed(48);
    heap.checkLost([
      { addr: a + 48, size: 8 },
      { addr: a + 56, size: 200 },
    ]);
    expect(heap.violations).toEqual([]);
    heap.checkLost([{ addr: a + 56, size: 200 }]);
    expect(heap.violations.map((v) => v.kind)).toEqual(['lost-object']);
  });

  it('a remotely freed object now inside the slack of a live block (past its requested size, within its usable size) is not lost', () => {
    const { heap, a } = remotelyFreed(160);
    heap.allocated(0, 'malloc', a + 16, 148, 16, 176); // usable to a + 192
    heap.checkLost([]);
    expect(heap.violations).toEqual([]);
  });

  it("writes to the program's static memory are in bounds; next to it they are not", () => {
    const { m, heap } = setup();
    const g = m.staticData(100, 'app:globals');
    heap.appMemory(g, 100);
    expect(heap.appWrite(0, 'application write', g + 92, 8)).toBe(true);
    expect(heap.appWrite(0, 'application write', g + 96, 8)).toBe(false);
    expect(heap.faults.map((f) => f.kind)).toEqual(['out-of-bounds-write']);
  });
});
