/** Where commands write: stdout and stderr, and the exit code they ask for. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  exitCode: number;
}

export function processIo(): Io {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    exitCode: 0,
  };
}
