/**
 * Simulator-speed benchmarks of the foundation: memory accesses per second through the full machine
 * and kernel events per second. Each returns the figure of one timed run.
 */
import { Machine, cacheStats, machinePreset, ORIGIN_APP, type Cpu } from '../src/machine/index.ts';
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
 * The machine benchmark's set-up: 8 cores on the default machine, caches and coherence on, and a
 * stream of `n` steps. Per step, the core is chosen round robin; 85% of steps stream through the
 * core's private 4 MiB region (8-byte stride, 1 write in 4), 10% read or write one of 256 shared
 * lines, 5% are atomics (fetch-add, or an acquire load then a CAS) on 8 hot lines.
 */
export interface MachineStream {
  machine: Machine;
  cpus: Cpu[];
  /** See machineSetup. */
  regions: number[];
  /** Per step: 0 load, 1 store, 2 fetch-add, 3 load then CAS (two accesses). */
  kind: Uint8Array;
  addr: Float64Array;
}

/** The machine and its mapped regions: each core's private 4 MiB, 256 shared lines, 8 hot lines. */
export function machineSetup(): { machine: Machine; cpus: Cpu[]; regions: number[] } {
  const m = new Machine(machinePreset('default'));
  const cpus = Array.from({ length: 8 }, (_, i) => m.cpu(i, i));
  const priv = cpus.map((c) => c.mmap(4 << 20));
  const shared = cpus[0]!.mmap(256 * 64);
  const hot = cpus[0]!.mmap(8 * 64);
  return { machine: m, cpus, regions: [...priv, shared, hot] };
}

export function machineStream(n: number): MachineStream {
  const { machine: m, cpus, regions } = machineSetup();
  const cores = cpus.length;
  const priv = regions.slice(0, cores);
  const shared = regions[cores] as number;
  const hot = regions[cores + 1] as number;
  const rng = new Rng(7);
  const kind = new Uint8Array(n);
  const addr = new Float64Array(n);
  const offs = new Float64Array(cores);
  for (let i = 0; i < n; i++) {
    const c = i & (cores - 1);
    const k = rng.below(100);
    const r = rng.next32();
    if (k < 85) {
      addr[i] = (priv[c] as number) + ((offs[c] as number) % (4 << 20));
      offs[c] = (offs[c] as number) + 8;
      kind[i] = (r & 3) === 0 ? 1 : 0;
    } else if (k < 95) {
      addr[i] = shared + ((r >>> 8) & 255) * 64;
      kind[i] = r & 1;
    } else {
      addr[i] = hot + ((r >>> 8) & 7) * 64;
      kind[i] = 2 + (r & 1);
    }
  }
  return { machine: m, cpus, regions, kind, addr };
}

/** Runs the stream's steps through the machine. */
export function runMachineStream({ cpus, kind, addr }: MachineStream): void {
  const n = kind.length;
  const cores = cpus.length;
  let sink = 0;
  for (let i = 0; i < n; i++) {
    const cpu = cpus[i & (cores - 1)] as Cpu;
    const a = addr[i] as number;
    switch (kind[i]) {
      case 0:
        sink += cpu.load(a, 8, ORIGIN_APP);
        break;
      case 1:
        cpu.store(a, i, 8, ORIGIN_APP);
        break;
      case 2:
        cpu.fetchAdd(a, 1);
        break;
      default: {
        const v = cpu.atomicLoad(a);
        cpu.cas(a, v, v + 1);
      }
    }
  }
  if (sink === -1) console.log('');
}

/**
 * Memory accesses per CPU second through the full machine (see machineStream). The stream is
 * generated before the clock starts, so the figure is the machine's alone; the accesses counted
 * are the machine's own count (a load then a CAS is two).
 */
export function machineAccesses(n = 6_000_000): BenchFigure {
  const stream = machineStream(n);
  const t0 = process.cpuUsage();
  runMachineStream(stream);
  const seconds = cpuSeconds(t0);
  const accesses = cacheStats(stream.machine).accesses;
  return { name: 'machine accesses', value: accesses / seconds, unit: 'accesses/s', count: accesses, seconds };
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
    k.spawn(
      (function* (): ThreadBody {
        for (let i = 0; i < perThread / 2; i++) {
          yield delay(rng.int(10, 200));
          yield send(q, i);
        }
      })(),
    );
    k.spawn(
      (function* (): ThreadBody {
        for (let i = 0; i < perThread / 2; i++) {
          yield recv(q);
          yield delay(50);
        }
      })(),
    );
  }
  const t0 = process.cpuUsage();
  k.run();
  const seconds = cpuSeconds(t0);
  return { name: 'kernel events', value: k.events / seconds, unit: 'events/s', count: k.events, seconds };
}
