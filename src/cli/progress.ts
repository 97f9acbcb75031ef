/**
 * A progress bar for long grids (cli-progress): runs done/total, elapsed time and ETA, on stderr.
 * Silent when stderr is not a terminal (pipes, CI logs, tests) or with --quiet.
 *
 * The ETA is ours, not cli-progress's (which averaged the last few updates: 0 s at first, then
 * minutes for a two-minute grid): elapsed time scaled by the work left, where each run weighs its
 * thread count (the pool starts the large runs first, so counting runs overestimates early on).
 * Until a run has finished it shows `…`.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** `doneWeight`: the summed weights of the finished runs (default: their count). */
  update(done: number, label: string, doneWeight?: number): void;
  stop(): void;
}

const SILENT: Progress = { update: () => undefined, stop: () => undefined };

/** Seconds left, from the elapsed time and the share of the work done; undefined before any is done. */
export function etaSeconds(elapsedMs: number, doneWeight: number, totalWeight: number): number | undefined {
  if (doneWeight <= 0 || elapsedMs <= 0) return undefined;
  return Math.max(0, (elapsedMs / 1000) * ((totalWeight - doneWeight) / doneWeight));
}

export function formatEta(s: number | undefined): string {
  if (s === undefined) return '…';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function createProgress(total: number, quiet: boolean, stream: NodeJS.WriteStream = process.stderr, totalWeight = total): Progress {
  if (quiet || stream.isTTY !== true || total < 2) return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'runs [{bar}] {value}/{total} | {duration_formatted} elapsed | ETA {etaText} | {label}',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const start = Date.now();
  bar.start(total, 0, { label: '', etaText: formatEta(undefined) });
  return {
    update: (done, label, doneWeight = done) =>
      bar.update(done, { label, etaText: formatEta(etaSeconds(Date.now() - start, doneWeight, totalWeight)) }),
    stop: () => bar.stop(),
  };
}
