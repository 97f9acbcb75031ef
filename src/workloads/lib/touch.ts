import type { Op } from '../../sim/thread.ts';
import { touch } from '../ops.ts';

/** Writes the first and the last byte of a block (`p[0] = 0; p[size-1] = 0;`): one touch per line. */
export function* touchEnds(p: number, size: number): Generator<Op, void, unknown> {
  if (size <= 0) return;
  yield touch(p, 1, true);
  if (Math.floor(p / 64) !== Math.floor((p + size - 1) / 64)) yield touch(p + size - 1, 1, true);
}
