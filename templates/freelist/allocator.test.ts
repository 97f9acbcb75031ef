// Unit tests of your allocator on a small simulated machine (run them with `npm test`).
// `allocsim check allocator.ts` runs the full invariant suite; these tests pin down the design:
// add your own as you change it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PAGE_SIZE, sandbox } from 'allocsim/kit';
import model from './allocator.ts';

test('a block is at least as big as asked and 16-byte aligned', () => {
  const box = sandbox(model);
  const p = box.malloc(24);
  assert.notEqual(p, 0);
  assert.equal(p % 16, 0);
  assert.ok(box.usableSize(p) >= 24);
});

test('first fit reuses the first free block that fits', () => {
  const box = sandbox(model);
  const a = box.malloc(100);
  box.malloc(100); // keeps a from merging with the rest of the page
  box.free(a);
  assert.equal(box.malloc(50), a);
});

test('freeing neighbours coalesces them back into one free block', () => {
  const box = sandbox(model);
  const blocks = [box.malloc(40), box.malloc(40), box.malloc(40)];
  for (const p of blocks) box.free(p);
  const free = box.freeRegions();
  assert.equal(free.length, 1, `free list: ${JSON.stringify(free)}`);
  assert.equal(free[0]?.size, PAGE_SIZE);
});

test('small blocks come from one page; a big block gets its own mapping, unmapped on free', () => {
  const box = sandbox(model);
  for (let i = 0; i < 10; i++) box.malloc(16);
  assert.equal(box.syscalls().mmap, 1);
  const big = box.malloc(100_000);
  assert.equal(box.syscalls().mmap, 2);
  box.free(big);
  assert.equal(box.syscalls().munmap, 1);
});
