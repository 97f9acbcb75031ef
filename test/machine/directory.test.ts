import { describe, expect, it } from 'vitest';
import { Directory, LINES_PER_PAGE, NO_CORE } from '../../src/machine/directory.ts';

describe('Directory', () => {
  it('keeps the atomic and lock times per line, 0 until set, and clears them with the page', () => {
    const dir = new Directory(8);
    for (const p of [0, 3, 700]) dir.resetPage(p, p * LINES_PER_PAGE);
    const a = 3 * LINES_PER_PAGE + 5;
    const b = 3 * LINES_PER_PAGE + 63;
    const c = 700 * LINES_PER_PAGE;
    expect([dir.busyUntil(a), dir.lockUntil(a), dir.lockSkew(a)]).toEqual([0, 0, 0]);
    dir.setBusyUntil(a, 10);
    dir.setLockUntil(a, Infinity);
    dir.setLockSkew(a, 2.5);
    dir.setLockUntil(b, 7);
    dir.setBusyUntil(c, 99);
    expect([dir.busyUntil(a), dir.lockUntil(a), dir.lockSkew(a)]).toEqual([10, Infinity, 2.5]);
    expect([dir.busyUntil(b), dir.lockUntil(b), dir.lockSkew(b)]).toEqual([0, 7, 0]);
    // Neighbouring lines and other pages are untouched.
    expect([dir.busyUntil(a + 1), dir.lockUntil(a - 1), dir.busyUntil(0), dir.busyUntil(c + 1)]).toEqual([0, 0, 0, 0]);
    expect(dir.busyUntil(c)).toBe(99);
    // A page mapped again in slot 3 starts afresh; page 700 keeps its times.
    dir.resetPage(3, 42 * LINES_PER_PAGE);
    expect([dir.busyUntil(a), dir.lockUntil(a), dir.lockSkew(a), dir.lockUntil(b)]).toEqual([0, 0, 0, 0]);
    expect(dir.busyUntil(c)).toBe(99);
    expect(dir.owner(a)).toBe(NO_CORE);
    expect(dir.keyOf(a)).toBe(42 * LINES_PER_PAGE + 5);
  });

  it('keeps the per-line records of earlier pages when it grows', () => {
    const dir = new Directory(40);
    dir.resetPage(1, 64);
    dir.setOwner(64 + 2, 33);
    dir.setBit(dir.sharers, 64 + 2, 39);
    dir.noteWrite(64 + 2, 33, 1234.5);
    dir.setLockUntil(64 + 2, 8);
    dir.resetPage(5000, 5000 * LINES_PER_PAGE);
    expect(dir.owner(64 + 2)).toBe(33);
    expect(dir.has(dir.sharers, 64 + 2, 39)).toBe(true);
    expect(dir.has(dir.sharers, 64 + 2, 7)).toBe(false);
    expect(dir.lastWriteTime(64 + 2)).toBe(1234.5);
    expect(dir.lockUntil(64 + 2)).toBe(8);
    expect(dir.lastWriteTime(5000 * LINES_PER_PAGE)).toBe(-Infinity);
  });
});
