/**
 * `allocsim check <allocator|file.ts> [--seed S] [--runs N] [--param k=v] [--path P] [--json]`:
 * the invariant suite. A model file is first loaded and probed against the contract, and after the
 * suite it runs the coursework workloads (with the checker on).
 */
import chalk from 'chalk';
import Table from 'cli-table3';
import type { Argv } from 'yargs';
import { COMMANDS } from './spec.ts';
import { modelInfo, type ModelInfo } from '../../allocators/index.ts';
import { checkProperty, PROPERTIES, type PropertyResult, type PropertySpec } from '../../experiment/conformance.ts';
import { runCoursework, selectCoursework, type CourseworkRun, type CourseworkWorkload } from '../../experiment/coursework-suite.ts';
import type { IsolatedModel } from '../../experiment/isolation/isolated-model.ts';
import { contractBlocks, contractOk, probeContract, type ContractCheck } from '../../experiment/model-contract.ts';
import { parseAssignment, resolveParams, type ParamSpec, type ParamValue } from '../../lib/params.ts';
import { formatContract, formatCoursework } from '../../report/coursework-report.ts';
import { fitColumns, toJSON } from '../../report/format.ts';
import { EXIT_CHECK_FAILED, UsageError } from '../errors.ts';
import type { Io } from '../io.ts';
import { isolated, isolationOptions, loadIsolated } from '../isolation-options.ts';
import { isModelFile, loadModelFile } from '../model-resolver.ts';
import { listOption, positiveInt } from '../options.ts';
import { createStatus } from '../status.ts';

/** Resolves a registered model by name (model files are loaded by the command itself). */
export type ModelResolver = (nameOrFile: string) => Promise<ModelInfo> | ModelInfo;

/** The command line that replays a failed property: its seed, fast-check's path and replayPath, and the model's parameters. */
function replayLine(replayAs: string, r: PropertyResult, params: readonly string[], checks: Checks): string {
  const rp = r.replayPath === undefined ? '' : ` --replay-path '${r.replayPath}'`;
  const off = `${checks.races ? '' : ' --no-races'}${checks.invariants ? '' : ' --no-invariants'}`;
  return `allocsim check ${replayAs} --only ${r.name} --seed ${r.seed} --path ${r.path ?? ''}${rp}${params.map((p) => ` -p ${p}`).join('')}${off}`;
}

/** The optional checks of the suite (both on by default). */
interface Checks {
  races: boolean;
  invariants: boolean;
}

/** "debug invariants checked: glibc bins 329×", summed over the properties; '' when the model has none. */
function invariantLine(results: readonly PropertyResult[]): string {
  const sum = new Map<string, number>();
  for (const r of results) for (const [s, n] of Object.entries(r.invariantChecks ?? {})) sum.set(s, (sum.get(s) ?? 0) + n);
  return sum.size === 0 ? '' : `debug invariants checked: ${[...sum].map(([s, n]) => `${s} ${n}×`).join(', ')}`;
}

export function formatCheck(
  model: string,
  results: readonly PropertyResult[],
  replayAs = model,
  params: readonly string[] = [],
  checks: Checks = { races: true, invariants: true },
): string {
  const t = new Table({
    head: ['property', 'result', 'runs', 'what it checks'].map((h) => chalk.bold(h)),
    style: { head: [], border: [], compact: true },
    wordWrap: true,
    colWidths: fitColumns([16, 8, 6]),
  });
  for (const r of results) t.push([r.name, r.ok ? chalk.green('pass') : chalk.red('FAIL'), String(r.runs), r.description]);
  const lines = [chalk.bold(`invariant suite for ${model}`), t.toString()];
  const inv = invariantLine(results);
  if (inv !== '') lines.push(chalk.dim(inv));
  for (const r of results.filter((x) => !x.ok)) {
    lines.push(chalk.red(`\n${r.name}: ${r.message ?? 'failed'}`));
    if (r.counterexample !== undefined && r.counterexample.length > 0) {
      lines.push('minimal failing sequence (t<n> = thread, #<k> = k-th live block, modulo the live count):');
      r.counterexample.forEach((c, i) => lines.push(`  ${String(i + 1).padStart(3)}. ${c}`));
    }
    if (r.path !== undefined) lines.push(chalk.dim(`replay: ${replayLine(replayAs, r, params, checks)}`));
  }
  return `${lines.join('\n')}\n`;
}

interface CheckReport {
  allocator: string;
  file?: string;
  contract?: ContractCheck[];
  results: PropertyResult[];
  coursework?: Array<{
    workload: string;
    ok: boolean;
    cycles: number;
    ops: number;
    rssPeakBytes: number;
    violations: number;
    error?: string;
    wrongAnswer?: string;
  }>;
  courseworkMissing?: string[];
}

function courseworkJSON(runs: readonly CourseworkRun[]): CheckReport['coursework'] {
  return runs.map((r) => ({
    workload: r.workload.name,
    ok: r.ok,
    cycles: r.result.time.cycles,
    ops: r.result.time.ops,
    rssPeakBytes: r.result.memory.rssPeakBytes,
    violations: r.result.check.violations.length,
    ...(r.result.error !== undefined ? { error: r.result.error.message } : {}),
    ...(r.wrongAnswer !== undefined ? { wrongAnswer: r.wrongAnswer } : {}),
  }));
}

/** What check runs against: a model in this process, or a model file in isolation. */
/** What a property run takes: fast-check's seed, path and replayPath, and a progress callback (in-process only). */
type PropertyOptions = {
  seed: number;
  numRuns: number;
  params: Record<string, ParamValue>;
  path?: string;
  replayPath?: string;
  races?: boolean;
  invariants?: boolean;
  onRun?: (property: string, runs: number) => void;
};

interface CheckTarget {
  name: string;
  params: readonly ParamSpec[];
  contract?: ContractCheck[];
  property(name: string, opts: PropertyOptions): Promise<PropertyResult>;
  coursework(w: CourseworkWorkload, opts: { seed: number; scale?: number; params: Record<string, ParamValue> }): Promise<CourseworkRun>;
  close(): void;
}

async function inProcessTarget(file: string | undefined, arg: string, resolve: ModelResolver): Promise<CheckTarget> {
  const info = file !== undefined ? await loadModelFile(file) : await resolve(arg);
  return {
    name: info.name,
    params: info.params,
    ...(file !== undefined ? { contract: probeContract(info, file) } : {}),
    property: async (name, opts) => checkProperty(info, PROPERTIES.find((p) => p.name === name) as PropertySpec, opts),
    coursework: async (w, opts) => runCoursework(info, { workloads: [w], missing: [], fallback: false }, opts)[0] as CourseworkRun,
    close: () => undefined,
  };
}

function isolatedTarget(m: IsolatedModel): CheckTarget {
  return {
    name: m.model.name,
    params: m.model.params,
    contract: m.contract,
    // The model's process cannot call back: no progress line for an isolated model.
    property: (name, { onRun: _, ...opts }) => m.property(name, opts),
    coursework: (w, opts) => m.coursework(w, opts),
    close: () => m.close(),
  };
}

export function registerCheck(y: Argv, io: Io, resolve: ModelResolver = modelInfo): Argv {
  return y.command(
    COMMANDS.check.command,
    COMMANDS.check.describe,
    (b) =>
      isolationOptions(b)
        .positional('allocator', { type: 'string', demandOption: true, describe: 'model name, or a model file (./allocator.ts)' })
        .option('seed', { type: 'string', default: '1' })
        .option('runs', { type: 'string', default: '40', describe: 'random sequences per property' })
        .option('only', { type: 'string', array: true, describe: `properties to run: ${PROPERTIES.map((p) => p.name).join(', ')}` })
        .option('path', { type: 'string', describe: 'replay a failing case (from the replay line of a previous report)' })
        .option('replay-path', {
          type: 'string',
          describe: 'with --path: which commands of the failing sequence ran (from the same replay line)',
        })
        .option('param', { alias: 'p', type: 'string', array: true, describe: 'model parameter key=value' })
        .option('races', {
          type: 'boolean',
          default: true,
          describe: 'run the data-race detector in the multi-threaded properties (--no-races: off)',
        })
        .option('invariants', {
          type: 'boolean',
          default: true,
          describe:
            "check the model's debug invariants (snmalloc's seqset and buddy, mimalloc's pages and segments, glibc's bins) where the real debug builds assert them (--no-invariants: off)",
        })
        .option('workloads', {
          type: 'boolean',
          describe: 'then run the coursework workloads with the checker (default: on for model files)',
        })
        .option('scale', { type: 'string', describe: "scale of the coursework workloads (their 'scale' parameter)" })
        .option('json', { type: 'boolean', default: false }),
    async (args) => {
      const arg = String(args.allocator);
      const file = isModelFile(arg) ? arg : undefined;
      const only = listOption(args.only);
      for (const o of only) {
        if (!PROPERTIES.some((p) => p.name === o)) {
          throw new UsageError(`unknown property '${o}'; choose from ${PROPERTIES.map((p) => p.name).join(', ')}`);
        }
      }
      const seed = positiveInt('seed', args.seed, 0);
      const numRuns = positiveInt('runs', args.runs);
      const races = args.races !== false;
      const invariants = args.invariants !== false;
      const scale = args.scale === undefined ? undefined : Number(args.scale);
      if (scale !== undefined && !(scale > 0)) throw new UsageError(`--scale must be a positive number, got '${String(args.scale)}'`);
      const target =
        file !== undefined && isolated(args)
          ? isolatedTarget(await loadIsolated(file, args, [], false))
          : await inProcessTarget(file, arg, resolve);
      try {
        const params: Record<string, ParamValue> = Object.fromEntries(listOption(args.param).map(parseAssignment));
        resolveParams(`allocator ${target.name}`, target.params, params); // validate before running
        const report: CheckReport = { allocator: target.name, ...(file !== undefined ? { file } : {}), results: [] };
        const text: string[] = [];
        if (file !== undefined) {
          report.contract = target.contract;
          text.push(formatContract(file, report.contract ?? []));
        }
        if (report.contract === undefined || !contractBlocks(report.contract)) {
          const path = args.path === undefined ? undefined : String(args.path);
          const replayPath = args['replay-path'] === undefined ? undefined : String(args['replay-path']);
          if (replayPath !== undefined && path === undefined)
            throw new UsageError('--replay-path goes with --path; copy both from the replay line of a report');
          const noReplay = (): UsageError =>
            new UsageError(
              `--path ${path ?? ''} does not replay a failure of ${target.name} with --seed ${seed}; use the replay line of a report of this model, property and seed`,
            );
          const status = createStatus();
          try {
            for (const p of PROPERTIES.filter((x) => only.length === 0 || only.includes(x.name))) {
              let r: PropertyResult;
              try {
                r = await target.property(p.name, {
                  seed,
                  numRuns,
                  params,
                  races,
                  invariants,
                  ...(path !== undefined ? { path } : {}),
                  ...(replayPath !== undefined ? { replayPath } : {}),
                  onRun: (property, n) =>
                    status.tick(`check: ${property}, sequence ${n}${n > numRuns ? ' (shrinking a failure)' : ` of ${numRuns}`}`),
                });
              } catch (e) {
                if (path !== undefined && e instanceof Error && /^Unable to replay|replayPath|Unable to parse/i.test(e.message))
                  throw noReplay();
                throw e;
              }
              if (path !== undefined && /^Unable to replay|Unable to parse/i.test(r.message ?? '')) throw noReplay();
              report.results.push(r);
            }
          } finally {
            status.done();
          }
          text.push(formatCheck(target.name, report.results, file ?? target.name, listOption(args.param), { races, invariants }));
          const withWorkloads = (args.workloads as boolean | undefined) ?? file !== undefined;
          if (withWorkloads && report.results.every((r) => r.ok)) {
            const sel = selectCoursework();
            const runs: CourseworkRun[] = [];
            for (const w of sel.workloads)
              runs.push(await target.coursework(w, { seed, params, ...(scale !== undefined ? { scale } : {}) }));
            report.coursework = courseworkJSON(runs);
            report.courseworkMissing = sel.missing;
            text.push(formatCoursework(sel, runs));
          }
        }
        io.out(args.json ? toJSON(report) : text.join('\n'));
        const failed =
          (report.contract !== undefined && !contractOk(report.contract)) ||
          report.results.some((r) => !r.ok) ||
          (report.coursework ?? []).some((c) => !c.ok);
        if (failed) io.exitCode = EXIT_CHECK_FAILED;
      } finally {
        target.close();
      }
    },
  );
}
