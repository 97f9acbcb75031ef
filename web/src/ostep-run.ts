/** The OSTEP tab's run: malloc.py's flags as the form gives them, parsed as the CLI parses them. */
import { FREESPACE_FLAGS, freespaceOptions } from '../../src/experiment/ostep/freespace-options.ts';
import { runFreespace, type FreespaceOutput } from '../../src/experiment/ostep/freespace-session.ts';

export function ostepText(args: Record<string, string | boolean>): FreespaceOutput {
  const full: Record<string, unknown> = Object.fromEntries(FREESPACE_FLAGS.map((f) => [f.name, args[f.name] ?? f.default]));
  return runFreespace(freespaceOptions(full));
}
