/** The stamp of the source tree at `srcDir`: its files' names, sizes and modification times, one line each. */
export function sourceStamp(srcDir: string): string;
/** True when `distDir` holds a complete build of `srcDir` as it is now. */
export function distIsCurrent(srcDir: string, distDir: string): boolean;
