/**
 * Faults of the simulated program: touching unmapped or protected memory (MachineFault), and an
 * allocator call that never returns (RunawayOperation). Either ends the run and is reported with
 * the thread and the operation, as a crash or a hang would be.
 */
import { hex } from '../sim/hex.ts';

export type FaultKind = 'unmapped' | 'protection' | 'invalid-argument';

export class MachineFault extends Error {
  constructor(
    readonly kind: FaultKind,
    readonly address: number,
    readonly thread: number,
    readonly operation: string,
    detail?: string,
  ) {
    super(
      `${kind === 'unmapped' ? 'access to unmapped memory' : kind === 'protection' ? 'access to protected memory' : 'invalid system call'}` +
        ` at ${hex(address)} by thread ${thread} during ${operation}${detail ? ` (${detail})` : ''}`,
    );
    this.name = 'MachineFault';
  }
}

/** An allocator call that made more memory accesses than its budget allows: it never ends, most likely. */
export class RunawayOperation extends Error {
  constructor(
    readonly operation: string,
    readonly thread: number,
  ) {
    super(
      `${operation === '' ? 'an allocator call' : operation} on thread ${thread} made more memory accesses than any real operation would without returning: an endless loop (a cycle in a free list?)`,
    );
    this.name = 'RunawayOperation';
  }
}
