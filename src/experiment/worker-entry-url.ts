/**
 * The worker threads' entry module (pool.ts starts them on it): worker.mjs, which registers tsx,
 * unless the compiled CLI set its own. A module of its own, without imports, so the compiled CLI's
 * entry sets it without loading the simulator.
 */
let workerEntry = new URL('./worker.mjs', import.meta.url).href;

/** Used by the compiled CLI (tools/compiled/cli-entry.mjs): its workers run the compiled task module. */
export function useWorkerEntry(url: string): void {
  workerEntry = url;
}

/** Where pool.ts starts its worker threads. */
export function workerEntryUrl(): string {
  return workerEntry;
}
