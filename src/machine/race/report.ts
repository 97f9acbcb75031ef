/** What the race detector (detector.ts) reports: a race's two accesses, and what it asks of the accessing thread. */

/** One side of a race. */
export interface RaceAccess {
  thread: number;
  write: boolean;
  atomic: boolean;
  /** The operation: the whole call for the access that found the race ("free(0x…)"), its kind for the earlier one ("malloc"). */
  op: string;
  /** The code path the model had named (cpu.path), or '' if none. */
  path: string;
}

export interface RaceReport {
  /** First byte both accesses touch. */
  address: number;
  origin: number;
  /** The access that found the race (later in the run). */
  current: RaceAccess;
  /** The earlier access it races with. */
  previous: RaceAccess;
}

/** What the detector needs to know of the accessing thread (a Cpu is one). */
export interface RaceThread {
  readonly thread: number;
  readonly op: string;
}
