// Unit tests of your allocator on a small simulated machine (run them with `npm test`).
// `allocsim check allocator.ts` runs the full invariant suite; these tests pin down the design:
// add your own as you change it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PAGE_SIZE, sandbox } from 'allocsim/kit';
import model from './allocator.ts';

test('a request gets the smallest bucket that fits', () => {
  const box = sandbox(model);
  assert.equal(box.usableSize(box.malloc(20)), 32);
  assert.equal(box.usableSize(box.malloc(100)), 128);
  assert.equal(box.usableSize(box.malloc(1000)), 1024);
});

test('objects of one size share a page; the page header is found by rounding down', () => {
  const box = sandbox(model);
  const a = box.malloc(64);
  const b = box.malloc(64);
  assert.equal(Math.floor(a / PAGE_SIZE), Math.floor(b / PAGE_SIZE));
  assert.equal(b - a, 64);
  assert.equal(box.syscalls().mmap, 1);
});

test('a freed slot is reused first', () => {
  const box = sandbox(model);
  const a = box.malloc(48);
  box.malloc(48);
  box.free(a);
  assert.equal(box.malloc(48), a);
});

test('an entirely free page is unmapped unless it is the last of its bucket', () => {
  const box = sandbox(model);
  const perPage = Math.floor((PAGE_SIZE - 64) / 1024);
  const blocks = Array.from({ length: perPage * 2 }, () => box.malloc(1000));
  assert.equal(box.syscalls().mmap, 2);
  for (const p of blocks) box.free(p);
  assert.equal(box.syscalls().munmap, 1);
});
