/**
 * The driver: one simulated process = a machine, an allocator model and (optionally) the invariant
 * checker. It performs each allocator call for a thread on that thread's Cpu, feeds the checker,
 * and keeps the live-byte figures every Result reports. The experiment handler and the property
 * suite both go through it, so a --check run and `allocsim check` check the same way.
 */
import { AllocatorAbort, type AllocatorModel, type HeapRegion } from '../allocators/kit/contract.ts';
import { ShadowHeap } from '../check/shadow-heap.ts';
import type { Cpu } from '../machine/cpu.ts';
import type { Machine } from '../machine/machine.ts';
import { QuietCpu } from '../machine/quiet-cpu.ts';
import { IntMap } from '../machine/int-map.ts';
import { raceViolation, type RaceSite } from '../check/race-report.ts';
import { InvariantReports } from '../check/model-invariants.ts';
import { ALLOCATOR_OPERATIONS, requestedAlign, requestedSize, type AllocatorOperation } from '../allocators/kit/operations.ts';
import { plainOp, type OpName } from '../machine/op-text.ts';

const THREAD_START = plainOp('thread start');
const THREAD_EXIT = plainOp('thread exit');
/**
 * Memory accesses one allocator call may make before it counts as runaway (a cycle in a free list,
 * a search that never ends): far above any real operation, low enough to stop within seconds.
 */
export const DEFAULT_ACCESS_BUDGET = 50_000_000;

export class Driver {
  readonly checker: ShadowHeap | null;
  liveBytes = 0;
  liveBytesPeak = 0;
  /** Requested size of each live block (the application's view). */
  private readonly sizes = new IntMap(1 << 12);
  private sizeOf = new Float64Array(1 << 12);
  private readonly quiet = new Map<number, QuietCpu>();

  /** Path ids of the allocator operations (`NAME::malloc`, ..., by the table's index), for the per-path profile. */
  private readonly pathIds: readonly number[];
  private readonly threadStartPath: number;
  private readonly threadExitPath: number;

  constructor(
    readonly machine: Machine,
    readonly model: AllocatorModel,
    check: boolean,
    name = 'model',
  ) {
    this.checker = check ? new ShadowHeap(machine) : null;
    const id = (op: string): number => machine.paths.id(`${name}::${op}`);
    this.pathIds = ALLOCATOR_OPERATIONS.map((op) => id(op.path));
    this.threadStartPath = id('thread_start');
    this.threadExitPath = id('thread_exit');
  }

  /**
   * Turns the model's debug invariants on (src/allocators/shared/invariants.ts): a failed one is a
   * `model-invariant` violation of the checker, which this needs.
   */
  checkInvariants(): InvariantReports {
    if (this.checker === null) throw new Error('the debug invariants report to the checker: create the Driver with check on');
    this.invariants = InvariantReports.enable(this.machine, this.checker);
    return this.invariants;
  }

  /** The debug invariants' reports, once checkInvariants turned them on. */
  invariants: InvariantReports | null = null;

  /** Memory accesses one model call may make (see DEFAULT_ACCESS_BUDGET). */
  accessBudget = DEFAULT_ACCESS_BUDGET;

  /** Names the operation under way (see Cpu.setOp) and gives it its access budget. */
  private arm(cpu: Cpu, op: OpName, a = 0, b = 0): void {
    cpu.setOp(op, a, b);
    cpu.accessBudget = this.accessBudget;
  }

  /** After a model call: leave its code path; the application's own accesses have no budget. */
  private leave(cpu: Cpu): void {
    this.machine.paths.leave(cpu.now);
    cpu.accessBudget = Infinity;
    if (this.machine.race !== null && this.machine.race.reports.length > this.racesSeen) this.reportRaces(cpu);
  }

  private racesSeen = 0;

  /** New reports of the race detector become the checker's violations, with what lives at the address. */
  private reportRaces(cpu: Cpu): void {
    const reports = (this.machine.race as NonNullable<Machine['race']>).reports;
    for (; this.racesSeen < reports.length; this.racesSeen++) {
      const r = reports[this.racesSeen] as (typeof reports)[number];
      const site: RaceSite = {};
      const block = this.checker?.blockAt(r.address);
      if (block !== undefined) site.block = block;
      else {
        const region = this.heapWalk(cpu)?.find((x) => r.address >= x.addr && r.address < x.addr + x.size);
        if (region !== undefined) site.region = region;
        else {
          const vma = this.machine.as.vmas.find((v) => r.address >= v.start && r.address < v.end);
          if (vma !== undefined) site.mapping = vma.name;
        }
      }
      const v = raceViolation(r, site);
      this.checker?.report(v.kind, v.thread, v.op, v.message, v.address, { race: r });
    }
  }

  private quietCpu(cpu: Cpu): QuietCpu {
    let q = this.quiet.get(cpu.thread);
    if (q === undefined) {
      q = new QuietCpu(this.machine, cpu.thread, cpu.core);
      this.quiet.set(cpu.thread, q);
    }
    q.op = cpu.op;
    q.accessBudget = this.accessBudget;
    return q;
  }

  private usable(cpu: Cpu, p: number): number {
    return this.model.usableSize(this.quietCpu(cpu), p);
  }

  private grew(p: number, size: number): void {
    const slot = this.sizes.getOrInsert(p);
    if (slot >= this.sizeOf.length) {
      const a = new Float64Array(Math.max(slot + 1, this.sizeOf.length * 2));
      a.set(this.sizeOf);
      this.sizeOf = a;
    }
    this.sizeOf[slot] = size;
    this.liveBytes += size;
    if (this.liveBytes > this.liveBytesPeak) this.liveBytesPeak = this.liveBytes;
  }

  private shrank(p: number): void {
    const slot = this.sizes.delete(p);
    if (slot < 0) return;
    this.liveBytes -= this.sizeOf[slot] as number;
  }

  /**
   * Performs allocator operation `op` (an entry of src/allocators/kit/operations.ts) with its
   * arguments `a`, `b` on the thread of `cpu`: names it, calls the model on its profile path, keeps
   * the live bytes and feeds the checker what the entry says it records. Returns the model's answer.
   */
  call(op: AllocatorOperation, cpu: Cpu, a: number, b = op.bDefault): number {
    this.arm(cpu, op, a, b);
    switch (op.records) {
      case 'allocate':
        return this.allocate(op, cpu, a, b);
      case 'release':
      case 'resize':
        return this.release(op, cpu, a, b);
      default: {
        cpu.path(this.pathIds[op.index] as number);
        const n = op.call(this.model, cpu, a, b);
        this.leave(cpu);
        return n;
      }
    }
  }

  /** A new block (malloc, calloc, aligned_alloc). */
  private allocate(op: AllocatorOperation, cpu: Cpu, a: number, b: number): number {
    cpu.path(this.pathIds[op.index] as number);
    let p: number;
    try {
      p = op.call(this.model, cpu, a, b);
    } catch (e) {
      throw this.aborted(cpu, e);
    }
    this.leave(cpu);
    const size = requestedSize(op, a, b);
    if (p !== 0) this.grew(p, size);
    this.checker?.allocated(cpu.thread, cpu.op, p, size, requestedAlign(op, a, b), p === 0 ? 0 : this.usable(cpu, p), op.zeroed);
    return p;
  }

  /** The block at `ptr` freed (free) or resized to `requestedSize(op, ptr, b)` bytes (realloc). */
  private release(op: AllocatorOperation, cpu: Cpu, ptr: number, b: number): number {
    const checker = this.checker;
    if (ptr !== 0 && checker !== null) {
      const kind = checker.classifyFree(ptr);
      if (kind !== 'ok') return this.faultyFree(op, cpu, checker, kind, ptr, b);
    }
    const resize = op.records === 'resize';
    const size = requestedSize(op, ptr, b);
    const prefix = resize ? (checker?.beforeRealloc(ptr, size) ?? null) : null;
    cpu.path(this.pathIds[op.index] as number);
    let q: number;
    if (checker !== null) checker.releasing = ptr;
    try {
      q = op.call(this.model, cpu, ptr, b);
    } catch (e) {
      throw this.aborted(cpu, e);
    } finally {
      if (checker !== null) checker.releasing = 0;
    }
    this.leave(cpu);
    if (!resize) {
      this.shrank(ptr);
      checker?.released(cpu.thread, ptr);
      return q;
    }
    if (q !== 0 || size === 0) {
      this.shrank(ptr);
      if (q !== 0) this.grew(q, size);
    }
    checker?.afterRealloc(cpu.thread, cpu.op, ptr, q, size, q === 0 ? 0 : this.usable(cpu, q), prefix);
    return q;
  }

  /**
   * A free (or realloc) of a pointer that is not live: the workload's fault. The model gets it, as
   * the real allocator would; whether it detects it (aborts) is recorded. A detected fault ends the
   * run (rethrown); an undetected one is recorded and the run goes on.
   */
  private faultyFree(
    op: AllocatorOperation,
    cpu: Cpu,
    checker: ShadowHeap,
    kind: 'double-free' | 'invalid-free',
    ptr: number,
    b: number,
  ): number {
    try {
      // A resize of a block that is not live asks for one byte: what the model does with the pointer is the question.
      const r = op.call(this.model, cpu, ptr, op.records === 'resize' ? 1 : b);
      checker.workloadFault({ kind, thread: cpu.thread, op: cpu.op, address: ptr, detectedByModel: false });
      return r;
    } catch (e) {
      if (e instanceof AllocatorAbort) {
        checker.workloadFault({ kind, thread: cpu.thread, op: cpu.op, address: ptr, detectedByModel: true, modelMessage: e.message });
      }
      throw e;
    }
  }

  /**
   * A model call threw: an abort at the address of an earlier undetected fault is that fault's
   * late detection (a quarantine drained later). Returns the error, for the caller to rethrow.
   */
  private aborted(cpu: Cpu, e: unknown): unknown {
    if (e instanceof AllocatorAbort && e.address !== 0) this.checker?.detectedLater(e.address, e.message, cpu.op);
    return e;
  }

  /** The workload's static memory (its globals): writes there are the program's own, not out of bounds. */
  appMemory(addr: number, len: number): void {
    this.checker?.appMemory(addr, len);
  }

  /** An application write (write, fill, touch for writing): the checker notes writes outside live blocks. */
  appWrite(cpu: Cpu, addr: number, len: number): void {
    this.checker?.appWrite(cpu.thread, cpu.op, addr, len);
  }

  threadStart(cpu: Cpu): void {
    this.arm(cpu, THREAD_START);
    cpu.path(this.threadStartPath);
    this.model.threadStart?.(cpu);
    this.leave(cpu);
  }

  threadExit(cpu: Cpu): void {
    this.arm(cpu, THREAD_EXIT);
    cpu.path(this.threadExitPath);
    try {
      this.model.threadExit?.(cpu);
    } catch (e) {
      throw this.aborted(cpu, e);
    }
    this.leave(cpu);
  }

  /** The model's heap walk, read without cost; undefined when the model has none. */
  heapWalk(cpu: Cpu): HeapRegion[] | undefined {
    return this.model.heapWalk?.(this.quietCpu(cpu));
  }

  /** After every thread has exited: the lost-object check, where the model can walk its heap. */
  finish(anyCpu: Cpu | undefined): void {
    if (this.checker === null || this.model.heapWalk === undefined || anyCpu === undefined) return;
    // Metadata counts too: after coalescing, a small freed object can become the boundary tag of a
    // bigger free chunk (its bytes reused by the allocator, not lost).
    this.checker.checkLost(this.model.heapWalk(this.quietCpu(anyCpu)));
  }
}
