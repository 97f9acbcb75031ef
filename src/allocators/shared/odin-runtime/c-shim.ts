/**
 * How a C malloc interface drives Odin's heap allocator (base/runtime/heap_allocator.odin
 * heap_allocator_proc): the request is max(size, alignment) for alignments up to 64 bytes; larger
 * alignments are an assertion failure in the real allocator. The models serve those by asking for
 * size + alignment - 64 bytes and returning the first aligned address inside (every block of 64
 * bytes or more starts 64-byte aligned) — a model extension, not real behaviour.
 */
export const ODIN_MAX_ALIGNMENT = 64;
/** The alignment C's malloc, calloc and realloc promise (max_align_t). */
export const C_ALIGNMENT = 16;

/** The byte count to ask the Odin heap for. */
export function odinRequest(size: number, align: number): number {
  if (align <= ODIN_MAX_ALIGNMENT) return Math.max(size, align);
  return Math.max(size, align) + align - ODIN_MAX_ALIGNMENT;
}

/** The pointer handed to the C caller for a block at `p`. */
export function alignedWithin(p: number, align: number): number {
  if (p === 0 || align <= ODIN_MAX_ALIGNMENT) return p;
  return Math.ceil(p / align) * align;
}
