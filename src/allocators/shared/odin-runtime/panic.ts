/**
 * panic_contextless (base/runtime): the Odin runtime prints the message and traps. A detected
 * program fault, so the model throws AllocatorAbort with the allocator's own message.
 */
import { AllocatorAbort } from '../../kit/contract.ts';

export function odinPanic(message: string, address = 0): never {
  throw new AllocatorAbort(message, address);
}
