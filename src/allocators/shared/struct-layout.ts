/**
 * A C struct's fields laid out in order, each at its alignment, as a compiler places them: a
 * model's static areas get their offsets computed from sizes and alignments, not written by hand.
 */
export class StructLayout {
  private end = 0;

  /** The offset of the next field, of `size` bytes aligned to `align` (a power of two). */
  field(size: number, align = 8): number {
    const at = Math.ceil(this.end / align) * align;
    this.end = at + size;
    return at;
  }

  /** Bytes laid out so far (the offset just past the last field). */
  get size(): number {
    return this.end;
  }
}
