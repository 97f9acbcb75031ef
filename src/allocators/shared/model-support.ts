/**
 * Small helpers every teaching model uses the same way: naming its code paths for the per-path
 * profile, and taking its lock with the count every model reports.
 */
import type { Cpu } from '../../machine/cpu.ts';
import type { Machine } from '../../machine/machine.ts';
import type { Counters } from '../kit/model-counters.ts';

/** Path ids `MODEL::name` for each key, e.g. pathIds(machine, 'buddy', { lock: 'lock', split: 'split' }). */
export function pathIds<K extends string>(machine: Machine, model: string, names: Record<K, string>): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const k of Object.keys(names) as K[]) out[k] = machine.paths.id(`${model}::${names[k]}`);
  return out;
}

/** Enters the lock path, takes the lock word at `addr` and counts `lockAcquisitions`. */
export function acquire(cpu: Cpu, addr: number, counters: Counters<'lockAcquisitions'>, path: number): void {
  cpu.path(path);
  cpu.lock(addr);
  counters.add('lockAcquisitions');
}
