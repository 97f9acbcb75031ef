/**
 * A memory fault of the simulated program: touching unmapped or protected memory. It ends the run
 * and is reported with the address, the thread and the operation, as a crash would be.
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
