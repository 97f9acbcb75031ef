/** `allocsim merge SHARD.json... [--json|--csv|--svg F|--html F|--out F|--cachegrind-out F]`: joins shards. */
import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { baselineLabel, expandGrid } from '../../experiment/grid.ts';
import { asShardFile, mergeShards, ShardError, type ShardFile } from '../../experiment/shard.ts';
import { UsageError } from '../errors.ts';
import { loadModules, outputOptions } from '../grid-options.ts';
import { emitReport, gridTitle, reportRequest } from '../grid-run.ts';
import type { Io } from '../io.ts';
import { listOption } from '../options.ts';

function readShard(file: string): { name: string; shard: ShardFile } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read shard file ${file}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ShardError(`${file}: not valid JSON (${(e as Error).message}); was the shard interrupted?`);
  }
  return { name: file, shard: asShardFile(json, file) };
}

export function registerMerge(y: Argv, io: Io, argv: readonly string[]): Argv {
  return y.command(
    'merge <files..>',
    'join the shard files of a --shard run into one report (the same as the unsharded run)',
    (b) => outputOptions(b.positional('files', { type: 'string', array: true, demandOption: true, describe: 'shard files written by --shard i/n --out FILE' })),
    async (args) => {
      const shards = listOption(args.files).map(readShard);
      const first = shards[0]?.shard.experiment;
      if (first === undefined) throw new UsageError('give the shard files to merge');
      await loadModules(first.modules);
      const points = expandGrid(first);
      const results = mergeShards(shards, points);
      if (args['cachegrind-out'] !== undefined && !first.profile) {
        throw new UsageError('these shards have no per-path profiles; run them with --profile to use --cachegrind-out');
      }
      baselineLabel(first, points);
      const req = reportRequest(args, `allocsim ${argv.join(' ')}`);
      await emitReport(io, first, points, results, req, gridTitle(first));
    },
  );
}
