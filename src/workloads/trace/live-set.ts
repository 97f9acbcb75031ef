/**
 * The blocks a trace has allocated and not yet freed, by the trace's key: the check that makes a
 * malformed trace an error on its line (a free of a block that is not allocated, a block
 * allocated again while live) rather than a crash or a silent corruption of the replay.
 */
import { WorkloadInputError } from '../contract.ts';
import type { TraceEvent } from './events.ts';

export type UnknownFrees = 'error' | 'skip';

export class LiveSet {
  private readonly live = new Set<string>();

  constructor(
    private readonly source: string,
    private readonly unknownFrees: UnknownFrees,
    private readonly hexKeys: boolean,
  ) {}

  get size(): number {
    return this.live.size;
  }

  private releases(e: TraceEvent): boolean {
    if (this.live.delete(e.oldId)) return true;
    if (this.unknownFrees === 'skip') return false;
    throw new WorkloadInputError(
      this.source,
      e.line,
      `${e.call} of block ${this.name(e.oldId)}, which is not allocated (never allocated, or already freed); pass unknownFrees=skip for a trace started mid-run`,
    );
  }

  private allocates(e: TraceEvent): void {
    if (this.live.has(e.id)) {
      throw new WorkloadInputError(
        this.source,
        e.line,
        `block ${this.name(e.id)} is allocated again while still live (its free is missing from the trace)`,
      );
    }
    this.live.add(e.id);
  }

  private name(key: string): string {
    return this.hexKeys ? `0x${key}` : key;
  }

  /**
   * Applies an event. Returns what to replay: 'call' as recorded, 'malloc' for a realloc whose
   * old block is unknown (skipped mode), or 'skip' (a failed call, or an unknown free skipped).
   */
  apply(e: TraceEvent): 'call' | 'malloc' | 'skip' {
    switch (e.call) {
      case 'malloc':
      case 'calloc':
      case 'memalign':
        if (e.id === '') return 'skip';
        this.allocates(e);
        return 'call';
      case 'free':
        if (e.oldId === '') return 'call';
        return this.releases(e) ? 'call' : 'skip';
      case 'realloc': {
        if (e.id === '' && e.size > 0) return 'skip'; // failed: nothing changes
        const known = e.oldId === '' ? true : this.releases(e);
        if (e.id !== '') this.allocates(e);
        if (!known) return e.id === '' ? 'skip' : 'malloc';
        return 'call';
      }
      default:
        return 'call';
    }
  }
}
