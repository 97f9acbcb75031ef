/** The text of the operation under way (`cpu.op`), named with `setOp`, for fault reports: "free(0x7f...)". */
function hexAddr(n: number): string {
  return `0x${n.toString(16)}`;
}

/** The text of an operation named with setOp. */
export function formatOp(kind: string, a: number, b: number): string {
  switch (kind) {
    case 'malloc':
      return b === 16 || b === 0 ? `malloc(${a})` : `malloc(${a}, align ${b})`;
    case 'calloc':
      return `calloc(${a}, ${b})`;
    case 'realloc':
      return `realloc(${hexAddr(a)}, ${b})`;
    case 'free':
      return `free(${hexAddr(a)})`;
    case 'usable':
      return `malloc_usable_size(${hexAddr(a)})`;
    default:
      return kind;
  }
}
