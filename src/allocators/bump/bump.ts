/**
 * `bump`: the floor. Hands out memory from a pointer that only moves forward and never reuses
 * anything; free does nothing. Every other model should beat its memory use, and few beat its speed.
 *
 *   heap:  [blk][blk][blk][blk]......................|
 *          ^ start                  ^ next (in .bss)  ^ end of mapped chunk
 *
 * State: `next` and `end` words in the model's static data, under one lock (threads share the bump). When a request does not fit, it maps a
 * new chunk (1 MiB, or the request rounded up to pages). A block's size is kept in an 8-byte
 * header before it so usableSize can answer.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { BaseModel } from '../kit/base-model.ts';
import type { ModelDescription, ModelEnv, ModelInfo } from '../kit/contract.ts';
import { num } from '../../lib/params.ts';

/** The counters this model reports. */
export type BumpStat = 'chunks' | 'frees' | 'mallocs';

const HEADER = 16; // keeps 16-byte alignment of the payload
const NEXT = 0;
const END = 8;
/** One lock around the bump: without it two threads' mallocs race on `next` (the race detector says so). */
const LOCK = 16;

class Bump extends BaseModel<BumpStat> {
  private readonly globals: number;
  private readonly chunk: number;

  constructor(env: ModelEnv) {
    super(env);
    this.globals = env.machine.staticData(64, 'bump.bss');
    this.chunk = num(env.params, 'chunkKiB') * 1024;
  }

  malloc(cpu: Cpu, size: number, align = 16): number {
    cpu.work(8);
    const a = Math.max(16, align);
    cpu.lock(this.globals + LOCK);
    let next = cpu.load(this.globals + NEXT);
    const end = cpu.load(this.globals + END);
    let p = Math.ceil((next + HEADER) / a) * a;
    if (next === 0 || p + size > end) {
      const len = Math.ceil((size + HEADER + a) / 4096) * 4096;
      const mapLen = Math.max(len, this.chunk);
      next = cpu.mmap(mapLen);
      this.counters.add('chunks');
      cpu.store(this.globals + END, next + mapLen);
      p = Math.ceil((next + HEADER) / a) * a;
    }
    cpu.store(p - 8, size);
    cpu.store(this.globals + NEXT, p + Math.max(size, 1));
    cpu.unlock(this.globals + LOCK);
    this.counters.add('mallocs');
    return p;
  }

  free(cpu: Cpu, ptr: number): void {
    cpu.work(2);
    if (ptr !== 0) this.counters.add('frees');
  }

  usableSize(cpu: Cpu, ptr: number): number {
    return cpu.load(ptr - 8);
  }

  override calloc(cpu: Cpu, n: number, size: number): number {
    // Fresh memory from mmap is already zero: bump never reuses, so no memset is needed.
    const total = n * size;
    if (!Number.isSafeInteger(total) || total > 2 ** 47) return 0;
    return this.malloc(cpu, total);
  }

  describe(): ModelDescription {
    return {
      name: 'bump',
      summary: 'bump pointer, never reuses memory (the floor)',
      sizeClasses: [],
      constants: { headerBytes: HEADER, chunkBytes: this.chunk, alignment: 16 },
      sources: [],
    };
  }
}

export const bumpModel: ModelInfo = {
  name: 'bump',
  summary: 'bump pointer that never reuses memory: the floor for speed and the ceiling for memory',
  family: 'teaching',
  params: [{ name: 'chunkKiB', type: 'int', default: 1024, min: 4, description: 'size of each mapped chunk in KiB' }],
  doc: 'docs/models/bump.md',
  create: (env) => new Bump(env),
};
