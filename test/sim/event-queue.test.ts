import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventQueue } from '../../src/sim/event-queue.ts';

describe('EventQueue', () => {
  it('pops events in (time, priority, insertion) order, like a stable sort', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ time: fc.integer({ min: 0, max: 20 }), prio: fc.integer({ min: 0, max: 2 }) }), {
          maxLength: 300,
          size: 'max',
        }),
        (events) => {
          const q = new EventQueue(2);
          events.forEach((e, i) => q.push(e.time, e.prio, i));
          const expected = events
            .map((e, i) => ({ ...e, i }))
            .sort((a, b) => a.time - b.time || a.prio - b.prio || a.i - b.i)
            .map((e) => e.i);
          const got: number[] = [];
          while (q.size > 0) got.push(q.pop());
          expect(got).toEqual(expected);
          expect(q.pop()).toBe(-1);
        },
      ),
    );
  });

  it('interleaves pushes and pops correctly', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }), { maxLength: 200, size: 'max' }), (ops) => {
        const q = new EventQueue(1);
        const ref: Array<{ t: number; i: number }> = [];
        let id = 0;
        for (const op of ops) {
          if (op === undefined) {
            ref.sort((a, b) => a.t - b.t || a.i - b.i);
            const want = ref.shift();
            expect(q.pop()).toBe(want === undefined ? -1 : want.i);
          } else {
            q.push(op, 1, id);
            ref.push({ t: op, i: id++ });
          }
        }
      }),
    );
  });
});
