/**
 * Vector clocks (FastTrack, Flanagan and Freund, PLDI 2009): entry u is the last clock of thread u
 * that happens before this point. An epoch is one entry packed into a number, clock·TIDS + thread,
 * so a granule's last write is one number; 0 means none (clocks start at 1).
 */

/** Threads the detector tells apart (thread ids must be below this). */
export const TIDS = 4096;

export type VectorClock = number[];

export function epoch(clock: number, tid: number): number {
  return clock * TIDS + tid;
}

export function epochTid(e: number): number {
  return e % TIDS;
}

export function epochClock(e: number): number {
  return (e - (e % TIDS)) / TIDS;
}

/** Does epoch `e` happen before (or at) the point whose vector clock is `c`? */
export function before(e: number, c: VectorClock): boolean {
  const t = e % TIDS;
  return (e - t) / TIDS <= (c[t] ?? 0);
}

/** into := into ⊔ from. */
export function join(into: VectorClock, from: VectorClock): void {
  for (let i = 0; i < from.length; i++) {
    const v = from[i] as number;
    if (v > (into[i] ?? 0)) into[i] = v;
    else if (into[i] === undefined) into[i] = 0;
  }
}

export function copy(c: VectorClock): VectorClock {
  return c.slice();
}
