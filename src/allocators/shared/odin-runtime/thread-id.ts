/**
 * get_current_thread_id() (Feoramund/Odin, base/runtime/threading.odin): the OS thread id, fetched
 * once and cached in a thread-local. The model uses the simulated thread's index + 1 (never 0, which
 * the allocators reserve for "no owner") and does not charge the one gettid call.
 */
import type { Cpu } from '../../../machine/cpu.ts';

export function currentThreadId(cpu: Cpu, tlsSlot: number): number {
  const cached = cpu.load(cpu.tls + tlsSlot);
  if (cached !== 0) return cached;
  const id = cpu.thread + 1;
  cpu.store(cpu.tls + tlsSlot, id);
  return id;
}
