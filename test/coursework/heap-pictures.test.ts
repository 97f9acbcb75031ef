/**
 * `run --steps` prints each operation with the free list in malloc.py's notation and what happened
 * (split, coalesce, new memory, unmap); `run --heapmap` writes an SVG of the heap over time.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allocsim, hasTool, REPO, tempDir } from './helpers.ts';

const template = (t: string): string => join(REPO, 'templates', t, 'allocator.ts');
const tiny = ['-w', 'random', '-p', 'threads=1', '-p', 'ops=12', '-p', 'maxSize=200'];

describe('run --steps', () => {
  it('shows each operation and the free list after it, with splits, coalesces and new memory', async () => {
    const r = await allocsim(['run', '-a', template('freelist'), ...tiny, '--steps']);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^ptr\[0\] = Alloc\(\d+\) returned 0x[0-9a-f]+ \(t0\)  \[new memory: mmap 4096 B; split\]$/);
    expect(lines[1]).toMatch(/^Free List \[ Size 1 \]: \[ addr:0x[0-9a-f]+ sz:\d+ \]$/);
    expect(r.out).toMatch(/^Free\(ptr\[\d+\]\) \(t0\)  \[coalesce \(2 blocks into one\)\]$/m);
    expect(r.out).toMatch(/^Free List \[ Size 1 \]: \[ addr:0x[0-9a-f]+000 sz:4096 \]$/m); // all freed: one page again
    expect(r.out).toMatch(/my-freelist on random/);
  });

  it('annotates memory returned to the OS', async () => {
    const r = await allocsim([
      'run',
      '-a',
      template('freelist'),
      '-w',
      'random',
      '-p',
      'threads=1',
      '-p',
      'ops=6',
      '-p',
      'minSize=9000',
      '-p',
      'maxSize=9000',
      '--steps',
    ]);
    expect(r.out).toMatch(/Alloc\(9000\) returned .*\[new memory: mmap 12288 B\]/);
    expect(r.out).toMatch(/Free\(ptr\[\d+\]\) \(t0\)  \[unmap: 12288 B returned to the OS\]/);
  });

  it('stops at --steps-limit and says how many it left out', async () => {
    const r = await allocsim(['run', '-a', template('xv6'), ...tiny, '--steps', '--steps-limit', '3']);
    expect(r.out.match(/^ptr\[|^Free\(/gm)).toHaveLength(3);
    expect(r.out).toMatch(/\.\.\. \d+ more operations not shown \(raise --steps-limit\)/);
  });

  it('never prints a block as overlapping the next (glibc reported a cached 32-byte chunk as sz:40)', async () => {
    const r = await allocsim([
      'run',
      '-a',
      'glibc',
      '-w',
      'random',
      '-p',
      'threads=1',
      '-p',
      'ops=30',
      '-p',
      'maxSize=40',
      '--steps',
      '--steps-limit',
      '30',
    ]);
    expect(r.code).toBe(0);
    // Within each step, no printed block runs into the next one.
    for (const step of r.out.split('\n\n')) {
      const blocks = [...step.matchAll(/addr:0x([0-9a-f]+) sz:(\d+)/g)]
        .map((m) => ({ addr: parseInt(m[1] as string, 16), size: Number(m[2]) }))
        .sort((x, y) => x.addr - y.addr);
      for (let k = 1; k < blocks.length; k++)
        expect((blocks[k - 1]?.addr ?? 0) + (blocks[k - 1]?.size ?? 0)).toBeLessThanOrEqual(blocks[k]?.addr ?? 0);
    }
    expect(r.out).toMatch(/Cached \[ Size \d+ \]: .*sz:32 \]/);
  });

  it('says so for a model without a heap walk', async () => {
    const r = await allocsim(['run', '-a', 'bump', ...tiny, '--steps', '--steps-limit', '2']);
    expect(r.out).toMatch(/this model has no heapWalk\(\)/);
    expect(r.out).not.toMatch(/Free List/);
  });

  it('cannot go with --json', async () => {
    const r = await allocsim(['run', '-a', 'bump', ...tiny, '--steps', '--json']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--steps prints text; it cannot go with --json/);
  });
});

describe('run --heapmap', () => {
  it('writes the same SVG for the same run, with live blocks per thread, free memory and the timeline', async () => {
    const dir = tempDir();
    const args = ['run', '-a', template('freelist'), '-w', 'random', '-p', 'ops=300', '--heapmap'];
    const a = await allocsim([...args, join(dir, 'a.svg')]);
    await allocsim([...args, join(dir, 'b.svg')]);
    expect(a.code).toBe(0);
    const svg = readFileSync(join(dir, 'a.svg'), 'utf8');
    expect(svg).toBe(readFileSync(join(dir, 'b.svg'), 'utf8'));
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('heap map: my-freelist on random');
    for (const c of ['#1f77b4', '#d62728', '#9467bd', '#8c564b', '#a8e6b0']) expect(svg).toContain(`<path fill="${c}"`); // 4 threads and free
    expect(svg).toContain('external fragmentation');
  });

  it.skipIf(!hasTool('rsvg-convert'))('renders as a valid SVG', async () => {
    const dir = tempDir();
    await allocsim(['run', '-a', template('buckets'), '-w', 'random', '-p', 'ops=200', '--heapmap', join(dir, 'h.svg')]);
    execFileSync('rsvg-convert', [join(dir, 'h.svg'), '-o', join(dir, 'h.png')]);
    expect(readFileSync(join(dir, 'h.png')).subarray(1, 4).toString()).toBe('PNG');
  });

  it('an unwritable path is refused before the run', async () => {
    const r = await allocsim(['run', '-a', 'bump', ...tiny, '--heapmap', '/nonexistent-dir/h.svg']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot write --heapmap/);
  });
});
