/**
 * A Web Worker that can be stopped: one job at a time; cancel (or a time limit) terminates the
 * worker, which stops whatever it runs, and the next job gets a fresh one.
 */
export class WorkerClient<In, Out extends { kind: string }> {
  private worker: Worker | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private busy = false;

  constructor(private readonly url: string) {}

  private fresh(): Worker {
    this.worker ??= new Worker(this.url);
    return this.worker;
  }

  /**
   * Sends `msg`; `on` gets every answer until it returns true (the job is done). With `limitMs`,
   * the worker is terminated when the limit passes and `onLimit` is called.
   */
  run(msg: In, on: (m: Out) => boolean, limitMs?: number, onLimit?: () => void): void {
    if (this.busy) this.stop();
    const w = this.fresh();
    this.busy = true;
    w.onmessage = (e: MessageEvent<Out>): void => {
      if (on(e.data)) this.done();
    };
    w.onerror = (e: ErrorEvent): void => {
      e.preventDefault();
      this.done();
      on({ kind: 'error', message: e.message || 'the worker failed' } as unknown as Out);
    };
    if (limitMs !== undefined) {
      this.timer = setTimeout(() => {
        this.stop();
        onLimit?.();
      }, limitMs);
    }
    w.postMessage(msg);
  }

  private done(): void {
    this.busy = false;
    this.clearTimer();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Terminates the running job, if any. */
  stop(): void {
    this.done();
    this.worker?.terminate();
    this.worker = undefined;
  }
}
