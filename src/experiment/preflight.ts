/**
 * Checks a grid before any run: builds the machine and each distinct allocator configuration once,
 * on a throwaway machine, so a value only the model itself rejects (freelist's chunkKiB=100, not a
 * power of two) or a machine that cannot be built fails at once, in the CLI's thread, with the same
 * message whatever --jobs is, instead of after (or in the middle of) the runs.
 */
import { createModel } from '../allocators/kit/create-model.ts';
import { modelInfo } from '../allocators/registry.ts';
import { Machine } from '../machine/machine.ts';
import type { GridPoint, GridSpec } from './grid.ts';

/** `isolated`: allocators that run in their own process (model files): their process checks them. */
export function preflight(spec: GridSpec, points: readonly GridPoint[], isolated: ReadonlySet<string> = new Set()): void {
  const seen = new Set<string>();
  for (const p of points) {
    const c = p.config;
    if (isolated.has(c.allocator)) continue;
    const key = JSON.stringify([c.allocator, c.allocatorParams ?? {}]);
    if (seen.has(key)) continue;
    seen.add(key);
    createModel(modelInfo(c.allocator), new Machine(spec.machine, { seed: c.seed ?? 1 }), c.allocatorParams ?? {}, c.seed ?? 1);
  }
}
