/**
 * The shadow heap: an independent record of every live block, fed by each operation of a run,
 * that checks the allocator's answers against the invariants listed in docs/architecture.md
 * ("The invariant checker").
 *
 * It knows nothing of allocator internals. It sees returned addresses and sizes, reads simulated
 * memory without cost (Machine.peek), and watches pages leave the address space. It never changes
 * what the run measures: it charges nothing and makes no page resident.
 */
import { PAGE_SIZE } from '../machine/sizes.ts';
import { PROT_READ, PROT_WRITE } from '../machine/page-table.ts';
import type { Machine } from '../machine/machine.ts';
import { hex, type Violation, type ViolationKind, type WorkloadFault } from './violations.ts';
import { floorIndex } from './floor-index.ts';

type Region = { addr: number; size: number };

/** Bytes at the start of each new block filled with a pattern, so realloc's copy can be checked. */
const STAMP_BYTES = 256;
/** Largest prefix compared across a realloc. */
const PREFIX_LIMIT = 1 << 20;

/**
 * What an allocator operation gives the shadow heap to record (the `records` of each entry of
 * src/allocators/kit/operations.ts): a new block ('allocate': `allocated`), a block resized
 * ('resize': `beforeRealloc`, `afterRealloc`), a block freed ('release': `released`), or nothing.
 * A 'release' or 'resize' of a pointer that is not live is the workload's fault (`classifyFree`).
 */
export type Recording = 'allocate' | 'resize' | 'release' | 'none';

interface Block {
  addr: number;
  size: number;
  /** The model's usable size (at least `size`). */
  usable: number;
  thread: number;
}

export class ShadowHeap {
  readonly violations: Violation[] = [];
  readonly faults: WorkloadFault[] = [];
  liveBytes = 0;
  liveBytesPeak = 0;
  /** Live blocks by address. */
  private readonly live = new Map<number, Block>();
  /** Sorted addresses of live blocks, for overlap search. */
  private readonly starts: number[] = [];
  /** Objects freed by a thread other than their allocator and not handed out again at the same address: addr -> size. */
  readonly remotelyFreed = new Map<number, number>();
  /** When each remotely freed object was freed, and the ranges unmapped since (event counter). */
  private readonly freedAt = new Map<number, number>();
  private readonly unmapped: Array<{ start: number; end: number; at: number }> = [];
  /** Static application memory (a workload's globals), where writes are always in bounds. */
  private readonly appStatic: Array<{ start: number; end: number }> = [];
  private events = 0;
  /** Addresses ever freed (to tell a double free from an invalid one). */
  private readonly freed = new Set<number>();
  private readonly maxViolations = 100;
  /**
   * The block whose free (or realloc) is under way: the model may give its pages back to the OS
   * while freeing it (munmap of a mapped chunk, a heap trim), which is not a release under a live block.
   */
  private releasingBlock = 0;
  /** The last block whose release began, and when (event counter): pages its own free unmaps are returned to the OS. */
  private lastReleased = 0;
  private lastReleaseEvent = 0;

  constructor(private readonly machine: Machine) {
    const as = machine.as;
    const prev = as.onDropPage;
    as.onDropPage = (slot, vpn) => {
      prev(slot, vpn);
      this.pageDropped(vpn);
    };
    const prevUnmap = as.onUnmapRange;
    as.onUnmapRange = (start, end) => {
      prevUnmap(start, end);
      this.unmapped.push({ start, end, at: ++this.events });
    };
  }

  get liveCount(): number {
    return this.live.size;
  }

  /** A live block containing `addr`, if any. */
  blockAt(addr: number): { addr: number; size: number; thread: number } | undefined {
    const i = floorIndex(this.starts, addr);
    if (i < 0) return undefined;
    const b = this.live.get(this.starts[i] as number) as Block;
    return addr < b.addr + Math.max(1, b.size) ? b : undefined;
  }

  /** Records a violation; `detail` carries a data race's two accesses or the structure a model invariant checks. */
  report(
    kind: ViolationKind,
    thread: number,
    op: string,
    message: string,
    address?: number,
    detail: Pick<Violation, 'race' | 'structure'> = {},
  ): void {
    if (this.violations.length >= this.maxViolations) return;
    this.violations.push({ kind, thread, op, message, address, ...detail });
  }

  /**
   * Checks a block just returned by malloc/calloc/realloc and records it as live. `usable` is the
   * model's usable size for it; `zeroed` asks to check that the bytes read as zero (calloc).
   */
  allocated(thread: number, op: string, addr: number, size: number, align: number, usable: number, zeroed = false): void {
    if (addr === 0) {
      this.report('null-return', thread, op, `${op} returned NULL`);
      return;
    }
    if (addr % align !== 0) this.report('misaligned', thread, op, `${op} returned ${hex(addr)}, not ${align}-byte aligned`, addr);
    if (usable < size)
      this.report('usable-too-small', thread, op, `${op}: usable size ${usable} < requested ${size} at ${hex(addr)}`, addr);
    const bad = this.unmappedByte(addr, Math.max(1, size));
    if (bad >= 0)
      this.report('unmapped', thread, op, `${op} returned ${hex(addr)}+${size}, but ${hex(bad)} is not mapped read-write`, addr);
    const clash = this.overlapping(addr, Math.max(1, size));
    if (clash !== undefined) {
      this.report(
        'overlap',
        thread,
        op,
        `${op} returned ${hex(addr)}..${hex(addr + size)}, overlapping live block ${hex(clash.addr)}..${hex(clash.addr + clash.size)} (thread ${clash.thread})`,
        addr,
      );
    }
    if (zeroed && bad < 0) {
      const bytes = this.machine.peekBytes(addr, Math.min(size, PREFIX_LIMIT));
      const nz = bytes.findIndex((b) => b !== 0);
      if (nz >= 0) this.report('calloc-not-zeroed', thread, op, `${op}: byte ${nz} of ${hex(addr)} is ${bytes[nz]}, not 0`, addr);
    }
    this.insert({ addr, size, usable: Math.max(size, usable), thread });
    this.remotelyFreed.delete(addr);
    this.freed.delete(addr);
    if (bad < 0 && clash === undefined) this.stamp(addr, size);
  }

  /**
   * Classifies a free before it reaches the model: 'ok', or a workload fault (recorded by
   * `workloadFault` once the caller knows whether the model detected it).
   */
  classifyFree(addr: number): 'ok' | 'double-free' | 'invalid-free' {
    if (addr === 0 || this.live.has(addr)) return 'ok';
    return this.freed.has(addr) ? 'double-free' : 'invalid-free';
  }

  workloadFault(fault: WorkloadFault): void {
    this.faults.push(fault);
  }

  /**
   * The model aborted during a valid operation `op` on `address`: if an earlier fault at that
   * address went undetected, this is its late detection (a hardened allocator that checks frees
   * when it drains a quarantine). Returns whether a fault was matched.
   */
  detectedLater(address: number, message: string, op: string): boolean {
    for (let i = this.faults.length - 1; i >= 0; i--) {
      const f = this.faults[i] as WorkloadFault;
      if (address >= f.address && address < f.address + Math.max(1, f.size ?? 1) && !f.detectedByModel) {
        f.detectedByModel = true;
        f.modelMessage = message;
        f.detectedLaterBy = op;
        return true;
      }
    }
    return false;
  }

  /** The program's own static memory (its globals, outside the heap): writes there are in bounds. */
  appMemory(start: number, len: number): void {
    this.appStatic.push({ start, end: start + len });
  }

  /**
   * An application write of [addr, addr+len): records an out-of-bounds-write fault when it is not
   * inside one live block (a model with canaries may detect it later). Returns whether it was inside.
   */
  appWrite(thread: number, op: string, addr: number, len: number): boolean {
    const b = this.blockAt(addr);
    if (b !== undefined && addr + len <= b.addr + Math.max(1, b.size)) return true;
    if (this.appStatic.some((r) => r.start <= addr && addr + len <= r.end)) return true;
    this.faults.push({ kind: 'out-of-bounds-write', thread, op, address: addr, size: len, detectedByModel: false });
    return false;
  }

  /**
   * The block whose free (or realloc) is under way: the model may give its pages back to the OS
   * while freeing it (munmap of a mapped chunk, a heap trim), which is not a release under a live block.
   */
  get releasing(): number {
    return this.releasingBlock;
  }

  set releasing(addr: number) {
    this.releasingBlock = addr;
    if (addr !== 0) {
      this.lastReleased = addr;
      this.lastReleaseEvent = ++this.events;
    }
  }

  /** Records a (valid) free. */
  released(thread: number, addr: number): void {
    const b = this.live.get(addr);
    if (b === undefined) return;
    this.remove(b);
    this.freed.add(addr);
    if (b.thread !== thread) {
      this.remotelyFreed.set(addr, b.size);
      // Freed when the free began: pages the free itself unmaps count as returned to the OS.
      this.freedAt.set(addr, addr === this.lastReleased ? this.lastReleaseEvent : ++this.events);
    }
  }

  /** Snapshot of a block's prefix before realloc. */
  beforeRealloc(addr: number, newSize: number): Uint8Array | null {
    const b = this.live.get(addr);
    if (b === undefined) return null;
    return this.machine.peekBytes(addr, Math.min(b.size, newSize, PREFIX_LIMIT));
  }

  /** After realloc: the old block is gone, the new one is checked and its prefix compared. */
  afterRealloc(
    thread: number,
    op: string,
    oldAddr: number,
    newAddr: number,
    size: number,
    usable: number,
    prefix: Uint8Array | null,
  ): void {
    const old = this.live.get(oldAddr);
    if (newAddr === 0 && size > 0) return; // failed realloc leaves the old block alone
    if (old !== undefined) this.remove(old);
    if (size === 0 && newAddr === 0) {
      this.freed.add(oldAddr);
      return;
    }
    if (prefix !== null && prefix.length > 0) {
      const now = this.machine.peekBytes(newAddr, prefix.length);
      for (let i = 0; i < prefix.length; i++) {
        if (now[i] !== prefix[i]) {
          this.report(
            'realloc-lost-prefix',
            thread,
            op,
            `${op}: byte ${i} changed from ${prefix[i]} to ${now[i]} (old ${hex(oldAddr)}, new ${hex(newAddr)})`,
            newAddr,
          );
          break;
        }
      }
    }
    this.allocated(thread, op, newAddr, size, 16, usable);
    if (newAddr !== oldAddr) this.freed.add(oldAddr);
  }

  /**
   * Lost objects: remotely freed, not live, and with some byte that is neither inside a region the
   * model reports as free or cached nor on a page given back to the OS. An object may end up split
   * across free regions (part coalesced into one free chunk, part into another), and the part of it
   * a model trimmed or unmapped is no longer resident.
   */
  checkLost(freeRegions: ReadonlyArray<{ addr: number; size: number }>): void {
    const sorted = [...freeRegions].sort((a, b) => a.addr - b.addr);
    const starts = sorted.map((r) => r.addr);
    for (const [addr, size] of this.remotelyFreed) {
      // Unmapped after it was freed (even if the address was mapped again since): back to the OS, not lost.
      const at = this.freedAt.get(addr) ?? 0;
      if (this.unmapped.some((u) => u.at > at && u.start <= addr && addr < u.end)) continue;
      // Handed out again inside a bigger block (coalesced; maybe in its slack past the requested size),
      // sitting free in the heap, or reused as the allocator's own metadata (a boundary tag of a
      // coalesced chunk): not lost.
      if (!this.insideLive(addr, Math.max(1, size)) && !this.accountedFor(sorted, starts, addr, size)) {
        this.report(
          'lost-object',
          -1,
          'end of run',
          `object ${hex(addr)} (${size} bytes) was freed remotely but is not free in the heap after every thread flushed`,
          addr,
        );
      }
    }
  }

  // ---- internals ----

  /** Every byte of [addr, addr+size) is in a free region or on a page that is no longer resident. */
  private accountedFor(sorted: ReadonlyArray<Region>, starts: readonly number[], addr: number, size: number): boolean {
    const end = addr + Math.max(1, size);
    let a = addr;
    while (a < end) {
      const r = regionAt(sorted, starts, a);
      if (r !== undefined) {
        a = r.addr + r.size;
        continue;
      }
      if (this.machine.isResident(a)) return false;
      a = (Math.floor(a / PAGE_SIZE) + 1) * PAGE_SIZE;
    }
    return true;
  }

  private stamp(addr: number, size: number): void {
    const n = Math.min(size, STAMP_BYTES);
    const as = this.machine.as;
    for (let i = 0; i < n; i++) {
      const a = addr + i;
      const s = as.pages.get(Math.floor(a / PAGE_SIZE));
      if (s < 0) continue; // never make a page exist: the checker must not change RSS
      this.machine.poke(a, (a * 31 + 7) & 255, 1);
    }
  }

  private pageDropped(vpn: number): void {
    const start = vpn * PAGE_SIZE;
    // Live blocks are disjoint and sorted: those overlapping the page are a run ending at the floor of its last byte.
    for (let i = floorIndex(this.starts, start + PAGE_SIZE - 1); i >= 0; i--) {
      const b = this.live.get(this.starts[i] as number) as Block;
      if (b.addr + Math.max(1, b.size) <= start) break;
      if (b.addr === this.releasing) continue;
      this.report(
        'released-under-live',
        b.thread,
        'page release',
        `page ${hex(start)} was released while live block ${hex(b.addr)} (${b.size} bytes) uses it`,
        b.addr,
      );
      return;
    }
  }

  private unmappedByte(addr: number, size: number): number {
    let a = addr;
    const end = addr + size;
    while (a < end) {
      const v = this.machine.as.vmaAt(a);
      if (v === undefined || (v.prot & (PROT_READ | PROT_WRITE)) !== (PROT_READ | PROT_WRITE)) return a;
      a = v.end;
    }
    return -1;
  }

  private overlapping(addr: number, size: number): Block | undefined {
    const i = floorIndex(this.starts, addr + size - 1);
    if (i < 0) return undefined;
    const b = this.live.get(this.starts[i] as number) as Block;
    return b.addr + Math.max(1, b.size) > addr ? b : undefined;
  }

  /** Whether [addr, addr+size) lies within a live block's usable extent (handed out again, maybe as its slack). */
  private insideLive(addr: number, size: number): boolean {
    const i = floorIndex(this.starts, addr + size - 1);
    if (i < 0) return false;
    const b = this.live.get(this.starts[i] as number) as Block;
    return b.addr + Math.max(1, b.usable) > addr;
  }

  private insert(b: Block): void {
    if (this.live.has(b.addr)) this.remove(this.live.get(b.addr) as Block);
    this.live.set(b.addr, b);
    this.starts.splice(floorIndex(this.starts, b.addr) + 1, 0, b.addr);
    this.liveBytes += b.size;
    if (this.liveBytes > this.liveBytesPeak) this.liveBytesPeak = this.liveBytes;
  }

  private remove(b: Block): void {
    this.live.delete(b.addr);
    const i = floorIndex(this.starts, b.addr);
    if (i >= 0 && this.starts[i] === b.addr) this.starts.splice(i, 1);
    this.liveBytes -= b.size;
  }
}

/** The last of the regions (sorted by start; `starts` their starts) starting at or before `addr`, if it contains `addr`. */
function regionAt(sorted: ReadonlyArray<Region>, starts: readonly number[], addr: number): Region | undefined {
  const i = floorIndex(starts, addr);
  const r = sorted[i];
  return r !== undefined && addr < r.addr + r.size ? r : undefined;
}
