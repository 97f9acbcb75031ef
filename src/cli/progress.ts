/**
 * A progress bar for long grids (cli-progress): runs done/total, elapsed time and ETA, on stderr.
 * Silent when stderr is not a terminal (pipes, CI logs, tests) or with --quiet.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, label: string): void;
  stop(): void;
}

const SILENT: Progress = { update: () => undefined, stop: () => undefined };

export function createProgress(total: number, quiet: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (quiet || stream.isTTY !== true || total < 2) return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'runs [{bar}] {value}/{total} | {duration_formatted} elapsed | ETA {eta_formatted} | {label}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { label: '' });
  return {
    update: (done, label) => bar.update(done, { label }),
    stop: () => bar.stop(),
  };
}
