/**
 * Model statistics that the checker's questions must not disturb: a quiet Cpu (usable size, heap
 * walk) asks without counting, so a --check run reports the same counters.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { QuietCpu } from '../../machine/quiet-cpu.ts';
import type { Counters } from '../kit/model-counters.ts';

export function count<N extends string>(ctx: { readonly counters: Counters<N> }, cpu: Cpu, name: NoInfer<N>, delta = 1): void {
  if (!(cpu instanceof QuietCpu)) ctx.counters.add(name, delta);
}
