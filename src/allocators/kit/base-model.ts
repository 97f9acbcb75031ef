/**
 * Shared default implementations of calloc and realloc in terms of malloc, free and usableSize,
 * the way a simple allocator writes them. Models with their own paths override them.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { ORIGIN_APP } from '../../machine/cache-hierarchy.ts';
import type { Counters } from './model-counters.ts';
import type { AllocatorModel, ModelDescription, ModelEnv } from './contract.ts';

/** `N`: the model's counter names (any name when left out). */
export abstract class BaseModel<N extends string = string> implements AllocatorModel {
  readonly counters: Counters<N>;

  constructor(protected readonly env: ModelEnv) {
    this.counters = env.counters;
  }

  abstract malloc(cpu: Cpu, size: number, align?: number): number;
  abstract free(cpu: Cpu, ptr: number): void;
  abstract usableSize(cpu: Cpu, ptr: number): number;
  abstract describe(): ModelDescription;

  /** malloc, then zero the bytes asked for (a model that knows memory is fresh may skip it). */
  calloc(cpu: Cpu, n: number, size: number): number {
    const total = n * size;
    if (!Number.isSafeInteger(total) || total > 2 ** 47) return 0;
    const p = this.malloc(cpu, total);
    if (p !== 0) cpu.fill(p, total, 0, ORIGIN_APP);
    return p;
  }

  /** Allocate-copy-free unless the block is already big enough. */
  realloc(cpu: Cpu, ptr: number, size: number): number {
    if (ptr === 0) return this.malloc(cpu, size);
    if (size === 0) {
      this.free(cpu, ptr);
      return 0;
    }
    const old = this.usableSize(cpu, ptr);
    if (size <= old) return ptr;
    const q = this.malloc(cpu, size);
    if (q === 0) return 0;
    cpu.copy(q, ptr, Math.min(old, size), ORIGIN_APP);
    this.free(cpu, ptr);
    return q;
  }
}
