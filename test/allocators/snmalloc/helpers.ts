/**
 * Test helpers for the snmalloc model: a Cpu that records every line it touches (and every RMW), and
 * a small world of threads sharing one model.
 */
import { createModel, modelInfo, type AllocatorModel } from '../../../src/allocators/index.ts';
import type { Snmalloc } from '../../../src/allocators/snmalloc/model.ts';
import type { Ctx } from '../../../src/allocators/snmalloc/context.ts';
import { Cpu, Machine, machinePreset, type AccessSize } from '../../../src/machine/index.ts';
import { Rng } from '../../../src/sim/rng.ts';
import type { ParamValue } from '../../../src/lib/params.ts';

export interface Access {
  line: number;
  write: boolean;
  rmw: boolean;
}

export class RecordingCpu extends Cpu {
  log: Access[] = [];
  recording = false;

  private rec(addr: number, write: boolean, rmw = false): void {
    if (this.recording) this.log.push({ line: Math.floor(addr / 64), write, rmw });
  }

  override load(addr: number, size: AccessSize = 8, origin?: number): number {
    this.rec(addr, false);
    return super.load(addr, size, origin);
  }
  override store(addr: number, value: number, size: AccessSize = 8, origin?: number): void {
    this.rec(addr, true);
    super.store(addr, value, size, origin);
  }
  override load64(addr: number, origin?: number): number {
    this.rec(addr, false);
    return super.load64(addr, origin);
  }
  override store64(addr: number, lo: number, hi: number, origin?: number): void {
    this.rec(addr, true);
    super.store64(addr, lo, hi, origin);
  }
  override touch(addr: number, len: number, write: boolean, origin?: number): void {
    for (let a = Math.floor(addr / 64) * 64; a < addr + len; a += 64) this.rec(a, write);
    super.touch(addr, len, write, origin);
  }
  override exchange(addr: number, value: number, size: AccessSize = 8, origin?: number): number {
    this.rec(addr, true, true);
    return super.exchange(addr, value, size, origin);
  }
  override cas(addr: number, e: number, d: number, size: AccessSize = 8, origin?: number): boolean {
    this.rec(addr, true, true);
    return super.cas(addr, e, d, size, origin);
  }
  override fetchAdd(addr: number, delta: number, size: AccessSize = 8, origin?: number): number {
    this.rec(addr, true, true);
    return super.fetchAdd(addr, delta, size, origin);
  }
  override lock(addr: number, origin?: number): void {
    this.rec(addr, true, true);
    super.lock(addr, origin);
  }

  /** Runs `fn` recording its accesses; returns the distinct lines touched and the RMWs. */
  trace(fn: () => void): { lines: Set<number>; rmws: Access[]; log: Access[] } {
    this.log = [];
    this.recording = true;
    try {
      fn();
    } finally {
      this.recording = false;
    }
    return { lines: new Set(this.log.map((a) => a.line)), rmws: this.log.filter((a) => a.rmw), log: this.log };
  }
}

export const lineOf = (addr: number): number => Math.floor(addr / 64);

export interface World {
  m: Machine;
  model: AllocatorModel;
  ctx: Ctx;
  cpus: RecordingCpu[];
}

export function world(name: string, threads = 3, params: Record<string, ParamValue> = {}): World {
  const m = new Machine(machinePreset('default'), { seed: 1 });
  const model = createModel(modelInfo(name), m, params);
  const cpus = Array.from({ length: threads }, (_, t) => new RecordingCpu(m, t, t, Rng.stream(1, (1 << 20) + t)));
  return { m, model, ctx: (model as Snmalloc).ctx, cpus };
}

/** The allocator a thread has (its TLS word). */
export function allocOf(w: World, cpu: Cpu): number {
  return w.m.peek(cpu.tls);
}

/** Line of the pagemap entry of `p` (the body pointer read without charge). */
export function pagemapLine(w: World, p: number): number {
  const body = w.m.peek(w.ctx.statics.bodyPtr);
  return lineOf(body + Math.floor(p / 16384) * 16);
}

/** Line of the slab metadata of `p`. */
export function metaLine(w: World, p: number): number {
  const body = w.m.peek(w.ctx.statics.bodyPtr);
  return lineOf(w.m.peek(body + Math.floor(p / 16384) * 16));
}
