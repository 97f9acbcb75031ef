/**
 * A model file run in isolation (model-host.ts), as the commands use it: loaded and probed against
 * the contract once, then asked for runs, properties and coursework workloads. A task that hits a
 * limit or kills its process comes back as a failed Result (error kind 'limit') or a failed
 * property, with one line saying which limit; nothing the model's process answers is taken as a
 * Result without its shape being checked.
 */
import type { ModelInfo } from '../../allocators/kit/contract.ts';
import { machinePreset } from '../../machine/presets.ts';
import { Machine } from '../../machine/machine.ts';
import { atomicStats, cacheStats, coreStats, memoryStats } from '../../machine/stats.ts';
import { resolveParams, type ParamValue } from '../../lib/params.ts';
import { lookupWorkload } from '../../workloads/registry.ts';
import type { PropertyResult } from '../conformance.ts';
import { PROPERTIES } from '../conformance.ts';
import { applicableParams, type CourseworkRun, type CourseworkWorkload } from '../coursework-suite.ts';
import type { ContractCheck } from '../model-contract.ts';
import type { Result } from '../result.ts';
import type { RunConfig } from '../run.ts';
import { BundleError } from './bundle.ts';
import { DEFAULT_LIMITS, ModelHost, type Limits } from './model-host.ts';
import type { ModelSummary, RecordedRun, TaskAnswers } from './tasks.ts';

/** Why a model file could not be loaded: `usage` for a file that is not a loadable model (exit 2). */
export class ModelLoadError extends Error {
  constructor(
    message: string,
    readonly usage: boolean,
  ) {
    super(message);
    this.name = 'ModelLoadError';
  }
}

/** Errors of loading, not of running: the file is not a model the simulator can use. */
const LOAD_ERRORS = new Set(['ModelCrash', 'ModelFileError', 'BundleError']);

/** A Result for a run that never finished: nothing counted, and the reason as its error. */
export function unfinishedResult(allocator: string, cfg: Omit<RunConfig, 'allocator'>, message: string): Result {
  const seed = cfg.seed ?? 1;
  const spec = cfg.machine ?? machinePreset('default');
  const machine = new Machine(spec, { seed });
  const { info: winfo, overrides } = lookupWorkload(cfg.workload);
  return {
    allocator,
    workload: cfg.workload,
    params: {
      allocator: { ...(cfg.allocatorParams ?? {}) },
      workload: resolveParams(`workload ${cfg.workload}`, winfo.params, { ...overrides, ...cfg.workloadParams }),
    },
    seed,
    machine: spec.name,
    time: { cycles: 0, seconds: 0, ops: 0, opsPerKcycle: 0, threads: [] },
    cache: cacheStats(machine),
    atomics: atomicStats(machine),
    core: coreStats(machine),
    memory: { ...memoryStats(machine), liveBytesPeak: 0, liveBytesFinal: 0 },
    allocatorCounters: {},
    workloadReport: {},
    kernel: { events: 0, contextSwitches: 0 },
    check: { enabled: cfg.check === true, violations: [], workloadFaults: [] },
    error: { kind: 'limit', message },
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';

/** The shape of a Result, as far as the reports rely on it. */
function looksLikeResult(r: unknown): r is Result {
  if (!isObject(r) || !isObject(r.time) || !isObject(r.memory) || !isObject(r.check) || !isObject(r.cache) || !isObject(r.atomics))
    return false;
  return (
    typeof r.allocator === 'string' &&
    typeof r.time.cycles === 'number' &&
    typeof r.time.ops === 'number' &&
    typeof r.memory.rssPeakBytes === 'number' &&
    Array.isArray(r.check.violations) &&
    Array.isArray(r.time.threads)
  );
}

/** What a grid needs of a model file: its runs, and an end. */
export interface IsolatedRunner {
  run(config: Omit<RunConfig, 'allocator' | 'openLines'>): Promise<RecordedRun>;
  close(): void;
}

/** A model file that could not be loaded (a limit while loading it): each of its runs fails with the reason. */
export function failedRunner(name: string, reason: string): IsolatedRunner {
  return { run: async (config) => ({ result: unfinishedResult(name, config, reason) }), close: () => undefined };
}

export class IsolatedModel implements IsolatedRunner {
  private constructor(
    private readonly host: ModelHost,
    readonly model: ModelSummary,
    readonly contract: ContractCheck[],
  ) {}

  /** Bundles the file, starts its process and probes the contract. */
  static async load(file: string, limits: Limits = DEFAULT_LIMITS, readable: readonly string[] = []): Promise<IsolatedModel> {
    let host: ModelHost;
    try {
      host = await ModelHost.open(file, limits, readable);
    } catch (e) {
      if (e instanceof BundleError) throw new ModelLoadError(e.message, true);
      throw e;
    }
    const c = await host.run({ kind: 'contract' });
    const v = c.value;
    if (!c.ok || !isObject(v) || !isObject(v.model) || typeof v.model.name !== 'string' || !Array.isArray(v.checks)) {
      host.close();
      const failure = c.ok ? 'its process answered something that is not a contract report' : c.failure;
      const base = file.split(/[\\/]/).pop() ?? file;
      throw new ModelLoadError(
        failure.startsWith(`${base}:`) ? failure : `${base}: ${failure}`,
        !c.ok && LOAD_ERRORS.has(c.errorName ?? ''),
      );
    }
    const model = { ...v.model, params: Array.isArray(v.model.params) ? v.model.params : [] };
    return new IsolatedModel(host, model, v.checks);
  }

  get file(): string {
    return this.host.file;
  }

  /** A ModelInfo naming the model and its parameters (for grids and checks); it cannot be created here. */
  info(): ModelInfo {
    const file = this.file;
    return {
      name: this.model.name,
      summary: this.model.summary,
      family: 'student',
      params: this.model.params,
      create: () => {
        throw new Error(`${file} runs isolated; run it through its IsolatedModel`);
      },
    };
  }

  /** One run (a failed Result when a limit ended it). */
  async run(config: Omit<RunConfig, 'allocator' | 'openLines'>, record: { steps?: number; samples?: number } = {}): Promise<RecordedRun> {
    const o = await this.host.run({ kind: 'run', config, ...record });
    if (o.ok && isObject(o.value) && looksLikeResult(o.value.result)) return o.value as RecordedRun;
    return {
      result: unfinishedResult(this.model.name, config, o.ok ? "the model's process answered something that is not a Result" : o.failure),
    };
  }

  async property(
    name: string,
    opts: { seed: number; numRuns: number; params: Record<string, ParamValue>; path?: string; replayPath?: string; races?: boolean },
  ): Promise<PropertyResult> {
    const o = await this.host.run({ kind: 'property', name, ...opts });
    const v = o.value as TaskAnswers['property'] | undefined;
    if (o.ok && isObject(v) && typeof v.ok === 'boolean' && v.name === name) return v;
    const spec = PROPERTIES.find((p) => p.name === name);
    return {
      name,
      description: spec?.description ?? name,
      runs: 0,
      seed: opts.seed,
      ok: false,
      message: o.ok ? "the model's process answered something that is not a property result" : o.failure,
    };
  }

  async coursework(
    workload: CourseworkWorkload,
    opts: { seed: number; scale?: number; params: Record<string, ParamValue> },
  ): Promise<CourseworkRun> {
    const o = await this.host.run({ kind: 'coursework', workload, ...opts });
    const v = o.value as TaskAnswers['coursework'] | undefined;
    if (o.ok && isObject(v) && typeof v.ok === 'boolean' && looksLikeResult(v.result)) return v;
    const { params } = applicableParams(workload, opts.scale);
    const result = unfinishedResult(
      this.model.name,
      { workload: workload.name, workloadParams: params, allocatorParams: opts.params, seed: opts.seed, check: true },
      o.ok ? "the model's process answered something that is not a Result" : o.failure,
    );
    return { workload, result, ok: false };
  }

  close(): void {
    this.host.close();
  }
}
