/**
 * Watching a model's heap during a run, for `run --steps` and `run --heapmap`: a decorator around
 * the model that, after each operation, asks the model's heapWalk (read with a quiet Cpu, which
 * charges nothing) and the address space what changed. It never changes what the run measures.
 *
 * - Steps: each operation with its result, the free list after it, and what happened on the way
 *   (a split, a coalesce, a new page mapped, memory unmapped), found by comparing the free list and
 *   the system calls before and after.
 * - Samples: every so many operations, the live blocks (by thread), the heap walk's regions, RSS
 *   and live bytes; the interval doubles (and every other sample is dropped) to keep at most a
 *   fixed number, so any run gives a picture of bounded size.
 */
import type { AllocatorModel, HeapRegion, ModelDescription, ModelInfo } from '../allocators/kit/contract.ts';
import type { Cpu } from '../machine/cpu.ts';
import type { Machine } from '../machine/machine.ts';
import { QuietCpu } from '../machine/quiet-cpu.ts';
import type { Counters } from '../allocators/kit/model-counters.ts';
import { hex } from '../sim/hex.ts';

export interface Step {
  /** ptr[i] numbering, as malloc.py prints it. */
  text: string;
  thread: number;
  /** Free (and cached) regions after the operation, sorted by address; undefined without heapWalk. */
  regions?: HeapRegion[];
  /** What happened: 'split', 'coalesce (2 blocks)', 'new page: mmap 4096 B', 'unmap: 8192 B', ... */
  notes: string[];
  /** Free-list entries that disappeared and appeared. */
  removed: HeapRegion[];
  added: HeapRegion[];
}

export interface LiveBlock {
  addr: number;
  size: number;
  thread: number;
}

export interface HeapSample {
  /** Allocator operations done so far. */
  ops: number;
  /** Simulated time of the operation, in cycles. */
  cycles: number;
  live: LiveBlock[];
  regions: HeapRegion[];
  /** Mapped address ranges (the process's mappings, TLS excluded). */
  mapped: Array<{ start: number; end: number }>;
  rssBytes: number;
  liveBytes: number;
}

export interface RecorderOptions {
  /** Record steps, up to this many operations (0 = none). */
  steps?: number;
  /** Record heap samples, at most this many (0 = none). */
  samples?: number;
}

interface SysCounts {
  mmap: number;
  munmap: number;
  brk: number;
  mapped: number;
}

export class HeapRecorder {
  readonly steps: Step[] = [];
  readonly samples: HeapSample[] = [];
  /** Steps not recorded after the limit. */
  stepsSkipped = 0;
  hasHeapWalk = true;
  private ops = 0;
  private interval = 1;
  private readonly live = new Map<number, LiveBlock>();
  private readonly names = new Map<number, number>();
  private nextName = 0;
  private liveBytes = 0;

  constructor(readonly opts: RecorderOptions = {}) {}

  /** A ModelInfo that builds `info`'s model wrapped in this recorder. */
  wrap(info: ModelInfo): ModelInfo {
    return { ...info, create: (env) => new RecordedModel(info.create(env), env.machine, this) };
  }

  private sys(m: Machine): SysCounts {
    return { mmap: m.as.syscalls.mmap, munmap: m.as.syscalls.munmap, brk: m.as.syscalls.brk, mapped: m.as.mappedBytes };
  }

  private walk(model: AllocatorModel, m: Machine): HeapRegion[] | undefined {
    if (model.heapWalk === undefined) {
      this.hasHeapWalk = false;
      return undefined;
    }
    return [...model.heapWalk(new QuietCpu(m, 0, 0))].sort((a, b) => a.addr - b.addr);
  }

  private name(addr: number): number {
    const n = this.nextName++;
    this.names.set(addr, n);
    return n;
  }

  /** Wraps one operation: `call` runs it; `describe` turns its result into the step's text. */
  around<T>(model: AllocatorModel, m: Machine, cpu: Cpu, call: () => T, describe: (r: T) => string, update: (r: T) => void): T {
    const stepping = this.steps.length < (this.opts.steps ?? 0);
    if (!stepping && (this.opts.steps ?? 0) > 0) this.stepsSkipped++;
    const before = stepping ? this.walk(model, m) : undefined;
    const sysBefore = stepping ? this.sys(m) : undefined;
    const r = call();
    const text = stepping ? describe(r) : '';
    update(r);
    this.ops++;
    if (stepping) this.recordStep(model, m, cpu.thread, text, before, sysBefore as SysCounts);
    if ((this.opts.samples ?? 0) > 0 && this.ops % this.interval === 0) this.sample(model, m, cpu.now);
    return r;
  }

  private recordStep(
    model: AllocatorModel,
    m: Machine,
    thread: number,
    text: string,
    before: HeapRegion[] | undefined,
    sb: SysCounts,
  ): void {
    const after = this.walk(model, m);
    const sa = this.sys(m);
    const notes: string[] = [];
    const delta = sa.mapped - sb.mapped;
    if (sa.mmap > sb.mmap && sa.munmap > sb.munmap) notes.push(`mmap and munmap: ${delta >= 0 ? '+' : ''}${delta} B mapped`);
    else if (sa.mmap > sb.mmap) notes.push(`new memory: mmap ${delta} B`);
    else if (sa.munmap > sb.munmap) notes.push(`unmap: ${-delta} B returned to the OS`);
    else if (sa.brk > sb.brk && delta > 0) notes.push(`heap grown: brk +${delta} B`);
    else if (sa.brk > sb.brk && delta < 0) notes.push(`heap trimmed: brk ${delta} B`);
    const key = (r: HeapRegion): string => `${r.kind}:${r.addr}:${r.size}`;
    const bk = new Set((before ?? []).map(key));
    const ak = new Set((after ?? []).map(key));
    const removed = (before ?? []).filter((r) => !ak.has(key(r)) && r.kind !== 'metadata');
    const added = (after ?? []).filter((r) => !bk.has(key(r)) && r.kind !== 'metadata');
    notes.push(...HeapRecorder.classify(text, removed, added));
    this.steps.push({
      text,
      thread,
      ...(after !== undefined ? { regions: after.filter((r) => r.kind !== 'metadata') } : {}),
      notes,
      removed,
      added,
    });
  }

  /** Names what the change of the free list was. */
  private static classify(text: string, removed: readonly HeapRegion[], added: readonly HeapRegion[]): string[] {
    const freeing = text.startsWith('Free');
    const inside = (a: HeapRegion, b: HeapRegion): boolean => a.addr >= b.addr && a.addr + a.size <= b.addr + b.size;
    const cachedOnly = (rs: readonly HeapRegion[]): boolean => rs.length > 0 && rs.every((r) => r.kind === 'cached');
    if (!freeing && cachedOnly(removed) && added.length === 0) return ['from a thread cache'];
    if (freeing && removed.length === 0 && cachedOnly(added)) return ['into a thread cache'];
    if (
      !freeing &&
      removed.length <= 1 &&
      added.length >= 1 &&
      added.every((a) => removed.length === 0 || inside(a, removed[0] as HeapRegion))
    )
      return ['split'];
    if (!freeing && removed.length > 0 && added.length === 0) return ['took a whole free block'];
    if (freeing && removed.length > 0 && added.length === 1 && removed.every((r) => inside(r, added[0] as HeapRegion))) {
      return [`coalesce (${removed.length + 1} blocks into one)`];
    }
    return [];
  }

  private sample(model: AllocatorModel, m: Machine, cycles: number): void {
    const regions = (this.walk(model, m) ?? []).map((r) => ({ ...r }));
    const mapped = m.as.vmas.filter((v) => !v.name.startsWith('tls:')).map((v) => ({ start: v.start, end: v.end }));
    this.samples.push({
      ops: this.ops,
      cycles,
      live: [...this.live.values()],
      regions,
      mapped,
      rssBytes: m.as.rssBytes,
      liveBytes: this.liveBytes,
    });
    const max = this.opts.samples ?? 0;
    if (this.samples.length > max) {
      // Keep every other sample and sample half as often from now on.
      const kept = this.samples.filter((_, i) => i % 2 === 1);
      this.samples.length = 0;
      this.samples.push(...kept);
      this.interval *= 2;
    }
  }

  // ---- the application's view: live blocks and their ptr[i] names ----

  allocated(addr: number, size: number, thread: number): void {
    if (addr === 0) return;
    this.live.set(addr, { addr, size: Math.max(1, size), thread });
    this.liveBytes += size;
  }

  released(addr: number): void {
    const b = this.live.get(addr);
    if (b === undefined) return;
    this.live.delete(addr);
    this.liveBytes -= b.size;
  }

  ptrName(addr: number): string {
    const n = this.names.get(addr);
    return n === undefined ? hex(addr) : `ptr[${n}]`;
  }

  newName(addr: number): string {
    return addr === 0 ? 'ptr[?]' : `ptr[${this.name(addr)}]`;
  }
}

/** The decorator: the model's own behaviour, with the recorder told about each operation. */
class RecordedModel implements AllocatorModel {
  readonly counters: Counters;
  readonly heapWalk?: (cpu: Cpu) => HeapRegion[];

  constructor(
    private readonly inner: AllocatorModel,
    private readonly m: Machine,
    private readonly rec: HeapRecorder,
  ) {
    this.counters = inner.counters;
    if (inner.heapWalk !== undefined) this.heapWalk = (cpu) => (inner.heapWalk as (c: Cpu) => HeapRegion[]).call(inner, cpu);
    if (inner.threadStart !== undefined) this.threadStart = (cpu) => inner.threadStart?.(cpu);
    if (inner.threadExit !== undefined) this.threadExit = (cpu) => inner.threadExit?.(cpu);
  }

  threadStart?(cpu: Cpu): void;
  threadExit?(cpu: Cpu): void;

  malloc(cpu: Cpu, size: number, align?: number): number {
    return this.rec.around(
      this.inner,
      this.m,
      cpu,
      () => this.inner.malloc(cpu, size, align),
      (p) =>
        `${this.rec.newName(p)} = Alloc(${size}${align !== undefined && align !== 16 ? `, align ${align}` : ''}) returned ${hex(p)} (t${cpu.thread})`,
      (p) => this.rec.allocated(p, size, cpu.thread),
    );
  }

  calloc(cpu: Cpu, n: number, size: number): number {
    return this.rec.around(
      this.inner,
      this.m,
      cpu,
      () => this.inner.calloc(cpu, n, size),
      (p) => `${this.rec.newName(p)} = Calloc(${n}, ${size}) returned ${hex(p)} (t${cpu.thread})`,
      (p) => this.rec.allocated(p, n * size, cpu.thread),
    );
  }

  realloc(cpu: Cpu, ptr: number, size: number): number {
    const old = this.rec.ptrName(ptr);
    return this.rec.around(
      this.inner,
      this.m,
      cpu,
      () => this.inner.realloc(cpu, ptr, size),
      (q) => `${q === 0 ? 'ptr[?]' : q === ptr ? old : this.rec.newName(q)} = Realloc(${old}, ${size}) returned ${hex(q)} (t${cpu.thread})`,
      (q) => {
        if (q !== 0 || size === 0) this.rec.released(ptr);
        this.rec.allocated(q, size, cpu.thread);
      },
    );
  }

  free(cpu: Cpu, ptr: number): void {
    const name = this.rec.ptrName(ptr);
    this.rec.around(
      this.inner,
      this.m,
      cpu,
      () => this.inner.free(cpu, ptr),
      () => `Free(${name}) (t${cpu.thread})`,
      () => this.rec.released(ptr),
    );
  }

  usableSize(cpu: Cpu, ptr: number): number {
    return this.inner.usableSize(cpu, ptr);
  }

  describe(): ModelDescription {
    return this.inner.describe();
  }
}
