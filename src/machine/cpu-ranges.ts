/**
 * Byte ranges through a thread's core: touch (charge every line of a range), fill (memset) and
 * copy (memmove), one independent load or store per line, on the plain memory of cpu-memory.ts.
 */
import { ORIGIN_APP } from './origin-counters.ts';
import { lineKey } from './cache-level.ts';
import { CpuMemory } from './cpu-memory.ts';
import * as K from './sizes.ts';

// Bound to this module's own names, as in cpu-memory.ts (V8 folds a module's own constants).
const PAGE_SIZE = K.PAGE_SIZE;
const LINE_SIZE = K.LINE_SIZE;

export class CpuRanges extends CpuMemory {
  /**
   * Charges an access to every line of [addr, addr+len) without changing values (the payload
   * reads and writes of a workload, a memset whose value does not matter): one independent load or
   * store per line.
   */
  touch(addr: number, len: number, write: boolean, origin: number = ORIGIN_APP): void {
    if (len <= 0) return;
    const end = addr + len;
    let a = addr;
    if (this.race !== null) this.race.range(this, addr, len, origin, write);
    while (a < end) {
      const s = this.page(a, write);
      const pageEnd = Math.min(end, (Math.floor(a / PAGE_SIZE) + 1) * PAGE_SIZE);
      const key = lineKey(a);
      const lines = (((pageEnd - 1) & (PAGE_SIZE - 1)) >> 6) - ((a & (PAGE_SIZE - 1)) >> 6) + 1;
      const ds = CpuMemory.lineSlot(a, s);
      for (let k = 0; k < lines; k++) {
        const la = (a & ~(LINE_SIZE - 1)) + k * LINE_SIZE;
        if (write) {
          const t = this.beginStore(la);
          const rfo = this.storeLine(t, key + k, ds + k, origin);
          this.settleWrite(ds + k, this.noted, this.commit(rfo, 0));
        } else {
          this.retireLoad(this.loadLine(this.beginLoad(la), key + k, ds + k, origin), 0);
        }
      }
      a = pageEnd;
    }
  }

  /** memset: writes `byte` over [addr, addr+len), charged line by line. */
  fill(addr: number, len: number, byte: number, origin: number = ORIGIN_APP): void {
    this.touch(addr, len, true, origin);
    this.machine.fillBytes(addr, len, byte);
  }

  /** memmove: copies len bytes from src to dst (overlap allowed), charging reads and writes. */
  copy(dst: number, src: number, len: number, origin: number = ORIGIN_APP): void {
    if (len <= 0) return;
    this.touch(src, len, false, origin);
    this.touch(dst, len, true, origin);
    this.machine.copyBytes(dst, src, len);
  }
}
