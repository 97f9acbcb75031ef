import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  Barrier,
  DeadlockError,
  Kernel,
  Rng,
  SimCounter,
  SimQueue,
  barrier,
  counterAdd,
  delay,
  join,
  now,
  recv,
  send,
  spawn,
  waitBelow,
  yieldCore,
  type Op,
  type ThreadBody,
  type KernelConfig,
} from '../../src/sim/index.ts';

const cfg = (cores: number, extra: Partial<KernelConfig> = {}): KernelConfig => ({
  cores,
  contextSwitch: 50,
  quantum: 1000,
  wakeLatency: 10,
  ...extra,
});
const noHandler = {
  execute: (_t: unknown, op: Op) => {
    throw new Error(`unexpected op ${op.op}`);
  },
};

/** A run of `n` threads doing seeded random delays and queue traffic; returns its event trace. */
function tracedRun(seed: number, n = 4): string[] {
  const trace: string[] = [];
  const k = new Kernel(cfg(2, { trace: (id, clock, op) => trace.push(`${id}@${clock}:${op}`) }), noHandler);
  const q = new SimQueue('q', 3);
  for (let t = 0; t < n; t++) {
    const rng = Rng.stream(seed, t);
    k.spawn(
      (function* (): ThreadBody {
        for (let i = 0; i < 20; i++) {
          yield delay(rng.int(1, 100));
          if (t % 2 === 0) yield send(q, i);
          else yield recv(q);
        }
      })(),
    );
  }
  k.run();
  return trace;
}

describe('Kernel', () => {
  it('same seed gives an identical event trace; a different seed a different one', () => {
    expect(tracedRun(7)).toEqual(tracedRun(7));
    expect(tracedRun(7)).not.toEqual(tracedRun(8));
  });

  it('always resumes the runnable thread with the smallest clock', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 20 }), { minLength: 1, maxLength: 6 }), (plans) => {
        const seen: number[] = [];
        const k = new Kernel(cfg(plans.length, { trace: (_id, clock) => seen.push(clock) }), noHandler);
        for (const plan of plans)
          k.spawn(
            (function* (): ThreadBody {
              for (const d of plan) yield delay(d);
            })(),
          );
        k.run();
        for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1] as number);
      }),
    );
  });

  it('a core runs one thread at a time: two threads on one core serialise and pay context switches', () => {
    const k = new Kernel(cfg(1, { quantum: 100, contextSwitch: 50 }), noHandler);
    for (let t = 0; t < 2; t++)
      k.spawn(
        (function* (): ThreadBody {
          for (let i = 0; i < 10; i++) yield delay(100);
        })(),
        `t${t}`,
        0,
      );
    k.run();
    // 2000 cycles of work on one core plus at least one switch per quantum hand-over.
    expect(k.makespan()).toBeGreaterThanOrEqual(2000 + 50 * 10);
    expect(k.contextSwitches).toBeGreaterThanOrEqual(10);
    const k2 = new Kernel(cfg(2), noHandler);
    for (let t = 0; t < 2; t++)
      k2.spawn(
        (function* (): ThreadBody {
          for (let i = 0; i < 10; i++) yield delay(100);
        })(),
      );
    k2.run();
    expect(k2.makespan()).toBe(1000);
  });

  it('blocked receivers wake in arrival order and get values in FIFO order', () => {
    const k = new Kernel(cfg(4), noHandler);
    const q = new SimQueue('q');
    const got: Array<[number, unknown]> = [];
    for (let r = 0; r < 3; r++) {
      k.spawn(
        (function* (): ThreadBody {
          yield delay(r); // arrive in order 0, 1, 2
          const v = yield recv(q);
          got.push([r, v]);
        })(),
      );
    }
    k.spawn(
      (function* (): ThreadBody {
        yield delay(100);
        for (const v of ['a', 'b', 'c']) yield send(q, v);
      })(),
    );
    k.run();
    expect(got.sort((a, b) => a[0] - b[0])).toEqual([
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
    ]);
  });

  it('a woken thread resumes at the waking time plus the wake latency', () => {
    const k = new Kernel(cfg(2, { wakeLatency: 10 }), noHandler);
    const q = new SimQueue('q');
    let at = -1;
    k.spawn(
      (function* (): ThreadBody {
        yield recv(q);
        at = (yield now()) as number;
      })(),
    );
    k.spawn(
      (function* (): ThreadBody {
        yield delay(500);
        yield send(q, 1);
      })(),
    );
    k.run();
    expect(at).toBe(510);
  });

  it('a bounded queue blocks the sender until there is room', () => {
    const k = new Kernel(cfg(2), noHandler);
    const q = new SimQueue('q', 2);
    const sentAt: number[] = [];
    k.spawn(
      (function* (): ThreadBody {
        for (let i = 0; i < 4; i++) {
          yield send(q, i);
          sentAt.push((yield now()) as number);
        }
      })(),
    );
    k.spawn(
      (function* (): ThreadBody {
        yield delay(1000);
        for (let i = 0; i < 4; i++) yield recv(q);
      })(),
    );
    k.run();
    expect(sentAt[1]).toBeLessThan(1000);
    expect(sentAt[2]).toBeGreaterThanOrEqual(1000);
  });

  it('barriers release everyone at the last arrival; counters give back-pressure', () => {
    const k = new Kernel(cfg(3, { wakeLatency: 0 }), noHandler);
    const b = new Barrier('start', 3);
    const c = new SimCounter('outstanding');
    const passed: number[] = [];
    for (let t = 0; t < 3; t++) {
      k.spawn(
        (function* (): ThreadBody {
          yield delay(100 * (t + 1));
          yield barrier(b);
          passed.push((yield now()) as number);
        })(),
      );
    }
    k.run();
    expect(passed).toEqual([300, 300, 300]);

    const k2 = new Kernel(cfg(2, { wakeLatency: 0 }), noHandler);
    let producedAt = -1;
    k2.spawn(
      (function* (): ThreadBody {
        yield counterAdd(c, 5);
        yield waitBelow(c, 5);
        producedAt = (yield now()) as number;
      })(),
    );
    k2.spawn(
      (function* (): ThreadBody {
        yield delay(700);
        yield counterAdd(c, -1);
      })(),
    );
    k2.run();
    expect(producedAt).toBe(700);
  });

  it('spawn and join: the joiner continues after the child exits', () => {
    const k = new Kernel(cfg(2, { wakeLatency: 0 }), noHandler);
    let after = -1;
    k.spawn(
      (function* (): ThreadBody {
        const child = (yield spawn(
          (function* (): ThreadBody {
            yield delay(400);
          })(),
          'child',
        )) as number;
        yield join(child);
        after = (yield now()) as number;
      })(),
    );
    k.run();
    expect(after).toBe(400);
  });

  it('reports a deadlock naming every blocked thread and what it waits for', () => {
    const k = new Kernel(cfg(2), noHandler);
    const q1 = new SimQueue('q1');
    const q2 = new SimQueue('q2');
    k.spawn(
      (function* (): ThreadBody {
        yield recv(q1);
      })(),
      'alice',
    );
    k.spawn(
      (function* (): ThreadBody {
        yield recv(q2);
      })(),
      'bob',
    );
    let err: unknown;
    try {
      k.run();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DeadlockError);
    const msg = (err as Error).message;
    expect(msg).toContain('alice');
    expect(msg).toContain('bob');
    expect(msg).toContain('recv on empty queue q1');
    expect((err as DeadlockError).blocked.map((b) => b.name)).toEqual(['alice', 'bob']);
  });

  it('no lost wake-ups: random producer/consumer pipelines always finish with every item delivered', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 1000 }),
        (producers, consumers, capacity, cores, seed) => {
          const k = new Kernel(cfg(cores), noHandler);
          const q = new SimQueue('q', capacity);
          const perProducer = 12;
          const total = producers * perProducer;
          let received = 0;
          for (let p = 0; p < producers; p++) {
            const rng = Rng.stream(seed, p);
            k.spawn(
              (function* (): ThreadBody {
                for (let i = 0; i < perProducer; i++) {
                  yield delay(rng.int(0, 30));
                  yield send(q, i);
                }
              })(),
            );
          }
          const share = (c: number): number => Math.floor(total / consumers) + (c < total % consumers ? 1 : 0);
          for (let c = 0; c < consumers; c++) {
            const rng = Rng.stream(seed, 100 + c);
            k.spawn(
              (function* (): ThreadBody {
                for (let i = 0; i < share(c); i++) {
                  yield recv(q);
                  received++;
                  yield delay(rng.int(0, 30));
                  if (i % 3 === 0) yield yieldCore();
                }
              })(),
            );
          }
          k.run();
          expect(received).toBe(total);
        },
      ),
      { numRuns: 60 },
    );
  });
});
