/** `allocsim merge SHARD.json... [--json|--csv|--svg F|--html F|--out F|--cachegrind-out F]`: joins shards. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { hasModel, registerModel } from '../../allocators/registry.ts';
import { registerModelFile } from '../../experiment/model-file.ts';
import { isolated, isolationOptions, loadIsolated } from '../isolation-options.ts';
import { resolveModel } from '../model-resolver.ts';
import type { Argv } from 'yargs';
import { COMMANDS } from './spec.ts';
import { baselineLabel, expandGrid, type GridSpec } from '../../experiment/grid.ts';
import { asShardFile, mergeShards, ShardError, type ShardFile } from '../../experiment/shard.ts';
import { UsageError } from '../errors.ts';
import { loadModules, outputOptions } from '../grid-options.ts';
import { emitReport, reportRequest } from '../grid-run.ts';
import { gridTitle } from '../../experiment/grid.ts';
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

/** A file URL as a path for a message (the URL itself if it is not a file URL). */
function pathOf(url: string): string {
  try {
    return fileURLToPath(url);
  } catch {
    return url;
  }
}

/**
 * Merge runs no code a shard file names: each module or model file of the experiment must be
 * given with --load (the user's decision), and is then loaded from the command line: a module
 * imported, a model file loaded isolated (unless --trust) only for its name and parameters.
 */
async function loadNamedCode(shardName: string, spec: GridSpec, load: readonly string[], args: Record<string, unknown>): Promise<void> {
  const named = [...(Array.isArray(spec.modules) ? spec.modules : []), ...(Array.isArray(spec.modelFiles) ? spec.modelFiles : [])];
  if (named.some((u) => typeof u !== 'string'))
    throw new ShardError(`${shardName}: malformed shard file (its experiment's modules); re-run that shard`);
  const given = new Map(load.map((f) => [f.startsWith('file:') ? f : pathToFileURL(resolve(f)).href, f]));
  for (const url of named) {
    if (!given.has(url)) {
      throw new UsageError(
        `${shardName} names the code file ${url}, which merge does not run on a shard's say-so; if you trust it, give it with --load ${pathOf(url)}`,
      );
    }
  }
  const modelFiles = new Set(spec.modelFiles ?? []);
  const modules = [...given].filter(([url]) => !modelFiles.has(url)).map(([, f]) => f);
  await loadModules(modules);
  for (const [url, f] of given) {
    if (!modelFiles.has(url)) continue;
    if (!isolated(args)) {
      registerModelFile(await resolveModel(f));
      continue;
    }
    const m = await loadIsolated(f, args);
    m.close();
    if (!hasModel(m.model.name)) registerModel(m.info());
  }
}

export function registerMerge(y: Argv, io: Io, argv: readonly string[]): Argv {
  return y.command(
    COMMANDS.merge.command,
    COMMANDS.merge.describe,
    (b) =>
      outputOptions(isolationOptions(b))
        .positional('files', { type: 'string', array: true, demandOption: true, describe: 'shard files written by --shard i/n --out FILE' })
        .option('load', {
          type: 'string',
          array: true,
          describe: 'a module or model file the shards were run with (merge imports nothing a shard file names)',
        }),
    async (args) => {
      const shards = listOption(args.files).map(readShard);
      const first = shards[0]?.shard.experiment;
      if (first === undefined) throw new UsageError('give the shard files to merge');
      await loadNamedCode(shards[0]?.name as string, first, listOption(args.load), args);
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
