import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, etaSeconds, formatEta } from '../../src/cli/progress.ts';

function stream(tty: boolean): { s: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({ write: (c, _e, cb) => (chunks.push(String(c)), cb()) }) as unknown as NodeJS.WriteStream;
  Object.assign(w, { isTTY: tty, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { s: w, text: () => chunks.join('') };
}

describe('progress bar', () => {
  it('shows done/total and the ETA on a terminal', () => {
    const { s, text } = stream(true);
    const p = createProgress(10, false, s);
    p.update(3, 'bump random t=2');
    p.stop();
    expect(text()).toMatch(/runs \[.*\] \d+\/10 .*ETA/);
  });

  it('is silent when stderr is not a terminal, or with --quiet', () => {
    for (const [tty, quiet] of [
      [false, false],
      [true, true],
    ] as const) {
      const { s, text } = stream(tty);
      const p = createProgress(10, quiet, s);
      p.update(5, 'x');
      p.stop();
      expect(text()).toBe('');
    }
  });

  it('estimates the time left from the work done, and shows … before any run has finished', () => {
    expect(formatEta(etaSeconds(0, 0, 10))).toBe('…');
    expect(formatEta(etaSeconds(5000, 0, 10))).toBe('…');
    // A quarter of the work in 30 s: 90 s left, whatever the number of runs.
    expect(etaSeconds(30_000, 8, 32)).toBe(90);
    expect(formatEta(90)).toBe('1m30s');
    expect(formatEta(3 * 3600 + 5 * 60)).toBe('3h05m');
    const { s, text } = stream(true);
    const p = createProgress(4, false, s, 10);
    p.stop();
    expect(text()).toMatch(/ETA … \|/);
  });
});
