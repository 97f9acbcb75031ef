/** Runs the CLI in-process with a capturing Io. */
import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/cli/io.ts';

export interface Captured {
  code: number;
  out: string;
  err: string;
}

export async function cli(...argv: string[]): Promise<Captured> {
  let out = '';
  let err = '';
  const io: Io = {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    exitCode: 0,
  };
  const code = await main(argv, io);
  return { code, out, err };
}
