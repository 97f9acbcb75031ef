import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DeadlockError,
  Kernel,
  SimCondition,
  SimMutex,
  condBroadcast,
  condSignal,
  condWait,
  delay,
  lock,
  now,
  unlock,
  type KernelConfig,
  type Op,
  type ThreadBody,
} from '../../src/sim/index.ts';

const cfg = (cores: number, extra: Partial<KernelConfig> = {}): KernelConfig => ({
  cores,
  contextSwitch: 0,
  quantum: 1_000_000,
  wakeLatency: 10,
  ...extra,
});
const noHandler = {
  execute: (_t: unknown, op: Op) => {
    throw new Error(`unexpected op ${op.op}`);
  },
};

describe('SimMutex', () => {
  it('mutual exclusion: critical sections never overlap in simulated time, whatever the timing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(fc.nat(40), fc.integer({ min: 1, max: 40 })), { maxLength: 8 }), { minLength: 1, maxLength: 5 }),
        (plans) => {
          const k = new Kernel(cfg(plans.length), noHandler);
          const m = new SimMutex('m');
          const sections: Array<[number, number]> = [];
          for (const plan of plans) {
            k.spawn(
              (function* (): ThreadBody {
                for (const [gap, hold] of plan) {
                  yield delay(gap);
                  yield lock(m);
                  const start = (yield now()) as number;
                  yield delay(hold);
                  sections.push([start, start + hold]);
                  yield unlock(m);
                }
              })(),
            );
          }
          k.run();
          sections.sort((a, b) => a[0] - b[0]);
          for (let i = 1; i < sections.length; i++) {
            expect((sections[i] as [number, number])[0]).toBeGreaterThanOrEqual((sections[i - 1] as [number, number])[1]);
          }
          expect(m.locked).toBe(false);
        },
      ),
    );
  });

  it('a waiter resumes owning the lock at the unlock time plus the wake latency, in arrival order', () => {
    const k = new Kernel(cfg(3), noHandler);
    const m = new SimMutex('m');
    const got: Array<[string, number]> = [];
    k.spawn(
      (function* (): ThreadBody {
        yield lock(m);
        yield delay(100);
        yield unlock(m);
      })(),
      'holder',
    );
    for (const [name, d] of [
      ['b', 20],
      ['a', 10],
    ] as const) {
      k.spawn(
        (function* (): ThreadBody {
          yield delay(d);
          yield lock(m);
          got.push([name, (yield now()) as number]);
          yield delay(5);
          yield unlock(m);
        })(),
        name,
      );
    }
    k.run();
    expect(got).toEqual([
      ['a', 110],
      ['b', 125],
    ]);
    expect(m.contended).toBe(2);
  });

  it('unlocking a mutex the thread does not hold is an error; a lost wake-up is a deadlock', () => {
    const k = new Kernel(cfg(1), noHandler);
    const m = new SimMutex('m');
    k.spawn(
      (function* (): ThreadBody {
        yield unlock(m);
      })(),
    );
    expect(() => k.run()).toThrow(/unlocks it but nobody holds it/);
    const k2 = new Kernel(cfg(1), noHandler);
    const c = new SimCondition('c');
    k2.spawn(
      (function* (): ThreadBody {
        yield lock(m);
        yield condWait(c, m);
      })(),
      'sleeper',
    );
    expect(() => k2.run()).toThrow(DeadlockError);
  });
});

describe('SimCondition', () => {
  it('wait releases the mutex; a signal wakes one waiter, which re-acquires the mutex first', () => {
    const k = new Kernel(cfg(3), noHandler);
    const m = new SimMutex('m');
    const c = new SimCondition('c');
    let items = 0;
    const log: string[] = [];
    for (const name of ['c1', 'c2']) {
      k.spawn(
        (function* (): ThreadBody {
          yield lock(m);
          while (items === 0) yield condWait(c, m);
          items--;
          log.push(`${name}@${(yield now()) as number}`);
          yield unlock(m);
        })(),
        name,
      );
    }
    k.spawn(
      (function* (): ThreadBody {
        for (let i = 0; i < 2; i++) {
          yield delay(100);
          yield lock(m);
          items++;
          yield condSignal(c);
          yield unlock(m);
        }
      })(),
      'producer',
    );
    k.run();
    expect(log).toEqual(['c1@110', 'c2@210']);
  });

  it('broadcast wakes every waiter; they take the mutex one after another', () => {
    const k = new Kernel(cfg(4), noHandler);
    const m = new SimMutex('m');
    const c = new SimCondition('c');
    let open = false;
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      k.spawn(
        (function* (): ThreadBody {
          yield lock(m);
          while (!open) yield condWait(c, m);
          times.push((yield now()) as number);
          yield delay(7);
          yield unlock(m);
        })(),
      );
    }
    k.spawn(
      (function* (): ThreadBody {
        yield delay(50);
        yield lock(m);
        open = true;
        const n = (yield condBroadcast(c)) as number;
        expect(n).toBe(3);
        yield unlock(m);
      })(),
    );
    k.run();
    expect(times).toEqual([60, 77, 94]);
  });
});
