/**
 * The grader's side of a model file's isolation: the model runs in a process of its own (started
 * here) with Node's permission model: it may read the host bundle and the files named here (trace
 * inputs), nothing else; it may not write, start processes or load native addons. Its main
 * thread supervises a worker thread that holds the model in a realm of its own (supervisor.ts).
 * Each task answers plain data (validated here) or one line saying why it failed; a process that
 * dies or goes over its limits fails the task under way, and the next task starts a new one.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { bundleModel, hostBundle, type ModelBundle } from './bundle.ts';
import type { Limits, Outcome, ResultMessage, StartMessage } from './supervisor.ts';
import type { Task, TaskAnswers } from './tasks.ts';

export type { Limits, Outcome } from './supervisor.ts';

export const DEFAULT_LIMITS: Limits = { callSeconds: 2, runSeconds: 600, memoryMiB: 1024 };

/** Extra heap the process may use beyond the model thread's limit (the simulator's own). */
const PROCESS_SLACK_MIB = 512;

function rssMiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? undefined : Number(m[1]) / 1024;
  } catch {
    return undefined;
  }
}

/** An idle model process does not keep the grader running (a command that stops early still exits). */
function hold(child: ChildProcess, busy: boolean): void {
  const handles = [child, child.channel, child.stderr] as Array<{ ref?(): void; unref?(): void } | null | undefined>;
  for (const h of handles) (busy ? h?.ref : h?.unref)?.call(h);
}

export class ModelHost {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private pending: { id: number; resolve(o: Outcome): void } | undefined;
  private exitNote = '';

  private constructor(
    private readonly bundle: ModelBundle,
    private readonly hostFile: string,
    readonly limits: Limits,
    private readonly readable: readonly string[],
  ) {}

  /** Bundles the model (a BundleError names a file that cannot be loaded) and prepares its process. */
  static async open(file: string, limits: Limits = DEFAULT_LIMITS, readable: readonly string[] = []): Promise<ModelHost> {
    const [bundle, hostFile] = await Promise.all([bundleModel(file), hostBundle()]);
    return new ModelHost(bundle, hostFile, limits, readable);
  }

  get file(): string {
    return this.bundle.file;
  }

  private spawn(): ChildProcess {
    const args = [
      '--experimental-permission',
      `--allow-fs-read=${this.hostFile}`,
      ...this.readable.map((f) => `--allow-fs-read=${f}`),
      '--allow-worker',
      `--max-old-space-size=${this.limits.memoryMiB + PROCESS_SLACK_MIB}`,
      '--no-warnings',
    ];
    const child = fork(this.hostFile, [], {
      execArgv: args,
      env: {},
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    child.on('error', () => undefined); // a send to a process that just died; its exit event reports it
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 4096) stderr += d.toString();
    });
    const memoryLimit = this.limits.memoryMiB + PROCESS_SLACK_MIB;
    const watch = setInterval(() => {
      const rss = child.pid === undefined ? undefined : rssMiB(child.pid);
      if (rss !== undefined && rss > memoryLimit) this.fail(child, `the model used more than ${this.limits.memoryMiB} MiB of memory`);
    }, 100);
    child.on('message', (m: ResultMessage) => {
      const p = this.pending;
      if (child !== this.child || p === undefined || m === null || typeof m !== 'object' || m.type !== 'result' || m.id !== p.id) return;
      this.pending = undefined;
      p.resolve(
        m.ok === true
          ? { ok: true, value: m.value }
          : {
              ok: false,
              failure: String(m.failure).split('\n')[0] ?? '',
              ...(typeof m.errorName === 'string' ? { errorName: m.errorName } : {}),
            },
      );
    });
    child.on('exit', (code, signal) => {
      clearInterval(watch);
      if (child !== this.child) return;
      this.child = undefined;
      const why =
        this.exitNote !== ''
          ? this.exitNote
          : signal === 'SIGABRT' || code === 134
            ? `the model used more than ${this.limits.memoryMiB} MiB of memory`
            : `the model's process ended (${signal ?? `exit code ${code}`}) before it answered${stderr.includes('ERR_ACCESS_DENIED') ? ': it was refused access' : ''}`;
      this.exitNote = '';
      const p = this.pending;
      this.pending = undefined;
      p?.resolve({ ok: false, failure: why });
    });
    child.send({
      type: 'start',
      file: this.bundle.file,
      code: this.bundle.code,
      sourceMap: this.bundle.sourceMap,
      limits: this.limits,
    } satisfies StartMessage);
    hold(child, false);
    return child;
  }

  private fail(child: ChildProcess, why: string): void {
    if (child !== this.child) return;
    this.exitNote = why;
    child.kill('SIGKILL');
  }

  /** Runs one task; a failure (a limit, a crash of the process) is an Outcome, not a throw. */
  async run<K extends Task['kind']>(task: Extract<Task, { kind: K }>): Promise<Outcome & { value?: TaskAnswers[K] }> {
    this.child ??= this.spawn();
    const child = this.child;
    const id = this.nextId++;
    // The supervisor enforces the run limit; this is the backstop should the process stop answering.
    const backstop = setTimeout(
      () => this.fail(child, `the run did not finish within ${this.limits.runSeconds} s`),
      (this.limits.runSeconds + 10) * 1000,
    );
    hold(child, true);
    try {
      return (await new Promise<Outcome>((resolve) => {
        this.pending = { id, resolve };
        child.send({ type: 'task', id, task });
      })) as Outcome & { value?: TaskAnswers[K] };
    } finally {
      clearTimeout(backstop);
      hold(child, false);
    }
  }

  /** Ends the model's process. */
  close(): void {
    const c = this.child;
    this.child = undefined;
    if (c !== undefined) {
      c.removeAllListeners('message');
      c.kill('SIGKILL');
    }
  }
}
