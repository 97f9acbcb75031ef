/**
 * Races a real allocator has on purpose, told to the race detector (src/machine/race/) so that it
 * reports the model's own races only, as ThreadSanitizer's annotations do in C. Each use cites the
 * source that races and says why it is harmless there; docs/models/NAME.md lists them.
 */
import type { Cpu } from '../../machine/cpu.ts';

/** Runs `fn` with this thread's plain reads hidden from the detector (AnnotateIgnoreReadsBegin/End). */
export function benignReads<T>(cpu: Cpu, fn: () => T): T {
  const race = cpu.machine.race;
  if (race === null) return fn();
  race.ignoreReads(cpu.thread, true);
  try {
    return fn();
  } finally {
    race.ignoreReads(cpu.thread, false);
  }
}

/** Runs `fn` with this thread's plain writes hidden from the detector (AnnotateIgnoreWritesBegin/End). */
export function benignWrites<T>(cpu: Cpu, fn: () => T): T {
  const race = cpu.machine.race;
  if (race === null) return fn();
  race.ignoreWrites(cpu.thread, true);
  try {
    return fn();
  } finally {
    race.ignoreWrites(cpu.thread, false);
  }
}

/**
 * Writes that race in the real allocator's own design and are NOT harmless: the model keeps the
 * source's behaviour (fidelity), hides the race from the detector so that `check` reports the
 * model's other races, and its fidelity page (docs/models/NAME.md, "Races") says what can go wrong.
 */
export const knownRaceWrites = benignWrites;
