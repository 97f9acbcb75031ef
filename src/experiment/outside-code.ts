/**
 * Imports code from outside allocsim's own modules: a student's model file run in-process
 * (`--trust`), the grid's model files in a worker thread. Run from the sources the TypeScript loader
 * (tsx) is in place already and nothing more is needed. The compiled CLI (dist/, tools/build.mjs)
 * has no loader: it sets a preparation here that registers tsx and points 'allocsim/kit' at the
 * compiled kit, so the file's model shares its classes (AllocatorAbort, BaseModel) with the CLI's.
 */
let prepare: (() => Promise<void>) | undefined;
let prepared: Promise<void> | undefined;

/** Set by the compiled entries (tools/compiled/): what must happen once before the first outside import. */
export function prepareOutsideImports(f: () => Promise<void>): void {
  prepare = f;
}

/** `import(url)` of a file from outside allocsim, after the preparation (once per thread). */
export async function importOutside(url: string): Promise<Record<string, unknown>> {
  if (prepare !== undefined) await (prepared ??= prepare());
  return (await import(url)) as Record<string, unknown>;
}
