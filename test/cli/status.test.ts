/** The status line of long runs: only on a terminal, only after a second, at most four times a second, cleared at the end. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createStatus } from '../../src/cli/status.ts';
import { runConformance } from '../../src/experiment/conformance.ts';
import { modelInfo } from '../../src/allocators/index.ts';

function stream(tty: boolean): { s: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({ write: (c, _e, cb) => (chunks.push(String(c)), cb()) }) as unknown as NodeJS.WriteStream;
  Object.assign(w, { isTTY: tty, columns: 80 });
  return { s: w, text: () => chunks.join('') };
}

describe('status line', () => {
  it('waits a second, throttles, and clears its line', () => {
    let t = 0;
    const { s, text } = stream(true);
    const st = createStatus(s, () => t);
    st.tick('early');
    t = 1200;
    st.tick('first');
    t = 1300;
    st.tick('too soon');
    t = 1600;
    st.tick('second');
    st.done();
    expect(text()).toBe('\rfirst (1s)\u001b[K\rsecond (2s)\u001b[K\r\u001b[K');
  });

  it('is silent off a terminal', () => {
    let t = 0;
    const { s, text } = stream(false);
    const st = createStatus(s, () => t);
    t = 5000;
    st.tick('x');
    st.done();
    expect(text()).toBe('');
  });

  it('check reports each generated sequence to its progress callback', () => {
    const seen: string[] = [];
    runConformance(modelInfo('bump'), { numRuns: 3, only: ['single-thread'], onRun: (p, n) => seen.push(`${p} ${n}`) });
    expect(seen).toEqual(['single-thread 1', 'single-thread 2', 'single-thread 3']);
  });
});
