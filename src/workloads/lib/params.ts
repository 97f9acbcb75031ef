/**
 * Parameter helpers shared by the workloads: every workload declares `scale` (the real program's
 * size is scale=1; the default is chosen so a run takes seconds on a laptop) and most a thread
 * count, documented with the source of its default.
 */
import type { ParamSpec, ParamValue } from '../../lib/params.ts';

/** `scale`, multiplying what `what` says (counts or simulated seconds). */
export function scaleParam(defaultScale: number, what: string): ParamSpec {
  return {
    name: 'scale',
    type: 'number',
    default: defaultScale,
    min: 1e-9,
    max: 1000,
    description: `size of the run: scale=1 is the real program's size; multiplies ${what}`,
  };
}

export function threadsParam(defaultThreads: number, description: string, source?: string): ParamSpec {
  return {
    name: 'threads',
    type: 'int',
    default: defaultThreads,
    min: 1,
    max: 1024,
    description,
    ...(source === undefined ? {} : { source }),
  };
}

/** `n * scale`, rounded, at least `min`. */
export function scaled(n: number, scale: number, min = 1): number {
  return Math.max(min, Math.round(n * scale));
}

/**
 * The `variant()` hook for thread-count names: `NAME-8` runs NAME with threads=8 (mimalloc-bench
 * names such runs `larsonN`, `xmalloc-testN`). Anything but a positive integer is not a variant.
 */
export function threadsVariant(param = 'threads'): (suffix: string) => Record<string, ParamValue> | undefined {
  return (suffix) => (/^[1-9][0-9]{0,3}$/.test(suffix) ? { [param]: Number(suffix) } : undefined);
}
