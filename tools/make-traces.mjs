#!/usr/bin/env node
// Writes the synthetic traces in traces/ (written for allocsim; no third-party traces are shipped).
//   node tools/make-traces.mjs
// Deterministic: a fixed LCG drives every random choice.
import { mkdirSync, writeFileSync } from 'node:fs';

let state = 12345;
const rand = (n) => {
  state = (Math.imul(state, 1103515245) + 12345) >>> 0;
  return (state >>> 8) % n;
};

function csapp(name, ops, header4 = true) {
  const ids = Math.max(...ops.filter((o) => o[1] >= 0).map((o) => o[1])) + 1;
  const head = header4 ? [1, ids, ops.length, 1] : [ids, ops.length];
  const body = ops.map((o) => o.filter((x) => x !== undefined).join(' '));
  writeFileSync(`traces/csapp/${name}`, `${[...head, ...body].join('\n')}\n`);
}

mkdirSync('traces/csapp', { recursive: true });
mkdirSync('traces/android', { recursive: true });
mkdirSync('traces/mtrace', { recursive: true });

// Tiny, for debugging (in the spirit of the lab's short traces).
csapp('short.rep', [
  ['a', 0, 100],
  ['a', 1, 24],
  ['r', 0, 300],
  ['a', 2, 56],
  ['f', 1],
  ['a', 3, 8],
  ['r', 0, 40],
  ['f', 2],
  ['f', 0],
  ['f', 3],
]);
csapp(
  'short-2line.rep',
  [
    ['a', 0, 24],
    ['a', 1, 40],
    ['f', 0],
    ['a', 2, 16],
    ['f', 1],
    ['f', 2],
  ],
  false,
);

// Coalescing: two 4095-byte blocks freed, then one 8190-byte block, repeatedly.
{
  const ops = [];
  let id = 0;
  for (let i = 0; i < 200; i++) {
    const a = id++;
    const b = id++;
    const c = id++;
    ops.push(['a', a, 4095], ['a', b, 4095], ['f', a], ['f', b], ['a', c, 8190], ['f', c]);
  }
  csapp('coalescing.rep', ops);
}

// Binary: small power-of-two blocks interleaved with large non-powers of two; free the small
// ones, then ask for blocks just too big for the holes (defeats buddy allocators).
{
  const ops = [];
  let id = 0;
  const big = [];
  const small = [];
  for (let i = 0; i < 500; i++) {
    small.push(id);
    ops.push(['a', id++, 64]);
    big.push(id);
    ops.push(['a', id++, 448]);
  }
  for (const s of small) ops.push(['f', s]);
  const later = [];
  for (let i = 0; i < 500; i++) {
    later.push(id);
    ops.push(['a', id++, 72]);
  }
  for (const b of big) ops.push(['f', b]);
  for (const l of later) ops.push(['f', l]);
  csapp('binary.rep', ops);
}

// Realloc: one block grows in steps while small blocks are allocated around it.
{
  const ops = [['a', 0, 512]];
  let id = 1;
  let size = 512;
  const smalls = [];
  for (let i = 0; i < 300; i++) {
    size += 128 + rand(256);
    ops.push(['r', 0, size]);
    smalls.push(id);
    ops.push(['a', id++, 16 + rand(64)]);
    if (smalls.length > 20) ops.push(['f', smalls.shift()]);
  }
  for (const s of smalls) ops.push(['f', s]);
  ops.push(['f', 0]);
  csapp('realloc.rep', ops);
}

// Random: allocations and frees of 1..4096 bytes, a few reallocs, all freed at the end.
{
  const ops = [];
  const live = [];
  let id = 0;
  for (let i = 0; i < 4000; i++) {
    const r = rand(100);
    if (live.length === 0 || r < 55) {
      live.push(id);
      ops.push(['a', id++, 1 + rand(4096)]);
    } else if (r < 62) {
      ops.push(['r', live[rand(live.length)], 1 + rand(4096)]);
    } else {
      const k = rand(live.length);
      ops.push(['f', live[k]]);
      live.splice(k, 1);
    }
  }
  for (const l of live) ops.push(['f', l]);
  csapp('random.rep', ops);
}

// Android record_allocs: a producer thread allocates messages a consumer thread frees (remote
// frees), a third thread does its own work, and threads finish with thread_done.
{
  const lines = [];
  let addr = 0x7a3c001000;
  const next = (size) => {
    const p = addr;
    addr += (size + 31) & ~15;
    return `0x${p.toString(16)}`;
  };
  const queue = [];
  const own = [];
  for (let i = 0; i < 400; i++) {
    const size = [48, 64, 96, 128][i % 4];
    const p = next(size);
    lines.push(`1201: malloc ${p} ${size}`);
    queue.push(p);
    if (i % 3 === 0) {
      const q = next(32);
      lines.push(`1303: calloc ${q} 4 8`);
      own.push(q);
    }
    if (queue.length > 8) lines.push(`1202: free ${queue.shift()}`);
    if (own.length > 5 && i % 7 === 0) {
      const old = own.shift();
      const q = next(256);
      lines.push(`1303: realloc ${q} ${old} 256`);
      own.push(q);
    }
  }
  for (const p of queue) lines.push(`1202: free ${p}`);
  lines.push('1201: thread_done 0x0');
  const m = next(4096);
  lines.push(`1303: memalign ${m} 64 4096`);
  lines.push(`1303: free ${m}`);
  for (const p of own) lines.push(`1303: free ${p}`);
  lines.push('1202: thread_done 0x0', '1303: thread_done 0x0');
  writeFileSync('traces/android/producer-consumer.txt', `${lines.join('\n')}\n`);
  // The same records with the START_NS END_NS columns newer Android releases append.
  let t = 1_000_000;
  const stamped = lines.map((l) => {
    const a = (t += 137);
    const b = (t += 29);
    return l.endsWith('thread_done 0x0') ? `${l} ${b}` : `${l} ${a} ${b}`;
  });
  writeFileSync('traces/android/producer-consumer-timestamps.txt', `${stamped.join('\n')}\n`);
}
