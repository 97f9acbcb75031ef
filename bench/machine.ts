/**
 * Simulator-speed benchmarks of the foundation: memory accesses per second through the full machine
 * and kernel events per second. Each returns the figure of one timed run.
 */
import { Machine, machinePreset, ORIGIN_APP, ORIGIN_META } from '../src/machine/index.ts';
import { Kernel, SimQueue, delay, recv, send, type ThreadBody } from '../src/sim/index.ts';
import { Rng } from '../src/sim/rng.ts';

/** CPU seconds used by this process since `start` (user + system): steadier than wall time on a shared machine. */
export function cpuSeconds(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  /** Work done, for context. */
  count: number;
  /** CPU seconds of the timed part. */
  seconds: number;
}

/**
 * 8 cores on the default machine, caches and coherence on. Per access, the core is chosen round
 * robin; 85% of accesses stream through the core's private 4 MiB region (8-byte stride, 1 write in
 * 4), 10% read or write one of 256 shared lines, 5% are atomics (fetch-add, CAS) on 8 hot lines.
 */
export function machineAccesses(n = 6_000_000): BenchFigure {
  const m = new Machine(machinePreset('default'));
  const cores = 8;
  const cpus = Array.from({ length: cores }, (_, i) => m.cpu(i, i));
  const priv = cpus.map((c) => c.mmap(4 << 20));
  const shared = cpus[0]!.mmap(256 * 64);
  const hot = cpus[0]!.mmap(8 * 64);
  const rng = new Rng(7);
  const picks = new Uint32Array(1 << 16).map(() => rng.next32());
  const offs = new Float64Array(cores);
  let sink = 0;
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const c = i & (cores - 1);
    const cpu = cpus[c]!;
    const r = picks[i & 0xffff]! ^ i;
    const k = r % 100;
    if (k < 85) {
      const a = priv[c]! + (offs[c]! % (4 << 20));
      offs[c]! += 8;
      if ((r & 3) === 0) cpu.store(a, i, 8, ORIGIN_APP);
      else sink += cpu.load(a, 8, ORIGIN_APP);
    } else if (k < 95) {
      const a = shared + ((r >>> 8) & 255) * 64;
      if ((r & 1) === 0) cpu.store(a, i, 8, ORIGIN_META);
      else sink += cpu.load(a, 8, ORIGIN_META);
    } else {
      const a = hot + ((r >>> 8) & 7) * 64;
      if ((r & 1) === 0) cpu.fetchAdd(a, 1);
      else {
        const v = cpu.atomicLoad(a);
        cpu.cas(a, v, v + 1);
      }
    }
  }
  const seconds = cpuSeconds(t0);
  if (sink === -1) console.log('');
  return { name: 'machine accesses', value: n / seconds, unit: 'accesses/s', count: n, seconds };
}

/**
 * 64 threads on 8 cores: 32 producer/consumer pairs passing messages through bounded queues, with
 * delays between steps; every yield is one kernel event.
 */
export function kernelEvents(perThread = 40_000): BenchFigure {
  const k = new Kernel({ cores: 8, contextSwitch: 2000, quantum: 100_000, wakeLatency: 500 }, { execute: () => undefined });
  for (let p = 0; p < 32; p++) {
    const q = new SimQueue(`q${p}`, 64);
    const rng = Rng.stream(1, p);
    k.spawn((function* (): ThreadBody {
      for (let i = 0; i < perThread / 2; i++) {
        yield delay(rng.int(10, 200));
        yield send(q, i);
      }
    })());
    k.spawn((function* (): ThreadBody {
      for (let i = 0; i < perThread / 2; i++) {
        yield recv(q);
        yield delay(50);
      }
    })());
  }
  const t0 = process.cpuUsage();
  k.run();
  const seconds = cpuSeconds(t0);
  return { name: 'kernel events', value: k.events / seconds, unit: 'events/s', count: k.events, seconds };
}
