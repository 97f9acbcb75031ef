// Unit tests of your allocator on a small simulated machine (run them with `npm test`).
// `allocsim check allocator.ts` runs the full invariant suite; these tests pin down the design:
// add your own as you change it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sandbox } from 'allocsim/kit';
import model from './allocator.ts';

test('sizes are whole 16-byte units after a one-unit header', () => {
  const box = sandbox(model);
  assert.equal(box.usableSize(box.malloc(1)), 16);
  assert.equal(box.usableSize(box.malloc(17)), 32);
});

test('blocks are carved from the high end of the free block', () => {
  const box = sandbox(model);
  const a = box.malloc(32);
  const b = box.malloc(32);
  assert.equal(a - b, 48); // each block is 3 units (header + 32 bytes); b is carved just below a
});

test('morecore maps 64 KiB at least and never gives memory back', () => {
  const box = sandbox(model);
  const p = box.malloc(100);
  assert.equal(box.syscalls().mmap, 1);
  const [free] = box.freeRegions();
  assert.equal((free?.size ?? 0) + 16 * 8, 64 * 1024); // the block of 100 bytes took 8 units
  box.free(p);
  assert.equal(box.syscalls().munmap, 0);
  assert.equal(box.freeRegions().length, 1);
});
