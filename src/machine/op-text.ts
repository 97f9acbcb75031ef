/**
 * The operation under way on a Cpu (`cpu.op`), named with `setOp` for fault reports and race
 * reports: its name at once, its text ("free(0x7f...)") built only when a report needs it.
 * The allocator operations (src/allocators/kit/operations.ts) are such names.
 */
export interface OpName {
  /** The name race reports give the operation: "malloc", "free". */
  readonly name: string;
  /** Its text with its two arguments, for fault reports: "free(0x7f...)". */
  text(a: number, b: number): string;
}

/** An address as fault reports print it. */
export function hexAddr(n: number): string {
  return `0x${n.toString(16)}`;
}

/** An operation without arguments, whose text is its name ("thread start"). */
export function plainOp(name: string): OpName {
  return { name, text: () => name };
}
