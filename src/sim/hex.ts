/** Addresses in messages and pictures. */

/** `0x1f40`; a negative number (a model's garbage pointer) as `-0x1f40`, never `0x-1f40`. */
export function hex(n: number): string {
  return n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`;
}
