/**
 * A one-line status for long synchronous work (a long `run`, the invariant suite of `check`, the
 * runs of `grade`): on a terminal, after the first second, the line is rewritten at most four times
 * a second and cleared at the end. Silent when stderr is not a terminal (pipes, CI logs, tests).
 */
import { excerpt } from '../sim/excerpt.ts';

export interface Status {
  tick(text: string): void;
  done(): void;
}

const SILENT: Status = { tick: () => undefined, done: () => undefined };

export function createStatus(stream: NodeJS.WriteStream = process.stderr, now: () => number = Date.now): Status {
  if (stream.isTTY !== true) return SILENT;
  const start = now();
  let last = 0;
  let shown = false;
  return {
    tick(text) {
      const t = now();
      if (t - start < 1000 || t - last < 250) return;
      last = t;
      shown = true;
      const secs = Math.round((t - start) / 1000);
      stream.write(`\r${excerpt(`${text} (${secs}s)`, Math.max(20, (stream.columns ?? 80) - 2))}\u001b[K`);
    },
    done() {
      if (shown) stream.write('\r\u001b[K');
    },
  };
}
