/**
 * Pre-rendered output. What `allocsim --help` and `allocsim list` print depends only on the sources
 * and on the width the text is fitted to (and, for list's tables, on whether they are coloured), so
 * the build (tools/build.mjs, through tools/prerender.mjs) runs the CLI for each of these command
 * lines and keeps what it printed in dist/prerendered/, and bin/allocsim writes that back without
 * loading yargs or the simulator. Only the exact command lines below are served, and only where
 * the full CLI would print the same bytes: any other argument, a coloured table or a width not
 * rendered runs the full CLI. bin/allocsim uses dist/ only while it matches src/, so the text is
 * never stale.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { guardStdout } from './io.ts';
import { helpWidth, tableWidth } from '../report/format.ts';

/**
 * How a command line's output depends on where it goes: help is wrapped at helpWidth (a
 * terminal's columns up to 110, 110 elsewhere); list's tables are fitted to tableWidth (a
 * terminal's columns, 117 elsewhere) and their headings coloured on a colour terminal; JSON is the
 * same everywhere.
 */
type Layout = 'help' | 'table' | 'json';

const SHAPES: ReadonlyArray<{ argv: readonly string[]; layout: Layout }> = [
  ...[['--help'], ['-h'], ['help']].map((argv) => ({ argv, layout: 'help' as const })),
  ...[[], ['all'], ['allocators'], ['workloads'], ['machines']].flatMap((what) => [
    { argv: ['list', ...what], layout: 'table' as const },
    { argv: ['list', ...what, '--json'], layout: 'json' as const },
  ]),
];

/**
 * The help widths rendered: 110 (off a terminal, and on one of 110 columns or more) and each
 * terminal width down to 60, the narrowest tableWidth fits tables to; a narrower terminal runs the
 * full CLI. Each width costs the build about 30 ms per command line (yargs measuring the text).
 */
const HELP_WIDTHS = Array.from({ length: 51 }, (_, i) => 60 + i);

/** A file of dist/prerendered/: what `argv` prints, fitted to `width` columns where it is fitted. */
function fileName(argv: readonly string[], width?: number): string {
  return `${[...argv, ...(width === undefined ? [] : [String(width)])].join('_')}.txt`;
}

export interface Prerendering {
  argv: readonly string[];
  /** The stdout `columns` to render with (stdout not a terminal, colour off). */
  columns: number | undefined;
  file: string;
}

/** Every output the build renders into dist/prerendered/. */
export function prerenderings(): Prerendering[] {
  return SHAPES.flatMap(({ argv, layout }): Prerendering[] => {
    if (layout === 'help') return HELP_WIDTHS.map((w) => ({ argv, columns: w, file: fileName(argv, w) }));
    if (layout === 'table') return [{ argv, columns: undefined, file: fileName(argv, tableWidth({})) }];
    return [{ argv, columns: undefined, file: fileName(argv) }];
  });
}

/** How `argv`'s output depends on where it goes, or undefined for a command line not pre-rendered. */
function layoutOf(argv: readonly string[]): Layout | undefined {
  return SHAPES.find((s) => s.argv.length === argv.length && s.argv.every((a, i) => a === argv[i]))?.layout;
}

/**
 * The file holding what `argv` prints to `out` (coloured or not), or undefined when the full CLI
 * must run; a file that was not rendered (a width outside HELP_WIDTHS, a table on a terminal of
 * another width) also means the full CLI.
 */
export function prerenderedFile(
  argv: readonly string[],
  out: { isTTY?: boolean; columns?: number },
  coloured: boolean,
): string | undefined {
  const layout = layoutOf(argv);
  if (layout === 'help') return fileName(argv, helpWidth(out));
  if (layout === 'table') return coloured ? undefined : fileName(argv, tableWidth(out));
  if (layout === 'json') return fileName(argv);
  return undefined;
}

/**
 * Writes what `argv` prints from the pre-rendered files in `dir` and returns true, or returns false
 * (having written nothing) when the full CLI must run. Colour as the CLI decides it (colour.ts),
 * loaded only for a table: chalk and node:tty are a third of what a start on this path costs.
 */
export async function servePrerendered(argv: readonly string[], dir: string): Promise<boolean> {
  const coloured = layoutOf(argv) === 'table' && (await import('./colour.ts')).stdoutColoured();
  const file = prerenderedFile(argv, process.stdout, coloured);
  if (file === undefined) return false;
  let text: Buffer;
  try {
    text = readFileSync(join(dir, file));
  } catch {
    return false;
  }
  guardStdout();
  process.stdout.write(text);
  return true;
}
