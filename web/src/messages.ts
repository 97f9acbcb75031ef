/** What the page and its workers say to each other (plain data: it is structured-cloned). */
import type { HeapSample, Step } from '../../src/experiment/heap-recorder.ts';
import type { PropertyResult } from '../../src/experiment/conformance.ts';
import type { GradeInput } from '../../src/experiment/grade.ts';
import type { ContractCheck } from '../../src/experiment/model-contract.ts';
import type { ExperimentForm } from './experiment-form.ts';

export interface HeapJob {
  allocator: string;
  workload: string;
  /** Workload parameters, `key=value` each. */
  params: string[];
  seed: number;
  /** Operations to record. */
  steps: number;
}

/** One recorded operation with what the simulation had counted when it finished. */
export interface HeapFrame {
  step: Step;
  sample: HeapSample;
  /** The model's own counters. */
  counters: Record<string, number>;
  /** Cache misses so far: all accesses, and the allocator's share (metadata and links). */
  misses: { l1: number; llc: number; coherence: number; allocatorL1: number };
  cycles: number;
}

export interface HeapRecording {
  title: string;
  hasHeapWalk: boolean;
  frames: HeapFrame[];
  /** Why the run ended early (a crash, a violation), if it did. */
  error?: string;
}

export type ToSim =
  | { kind: 'catalog' }
  | { kind: 'experiment'; form: ExperimentForm }
  | { kind: 'heap'; job: HeapJob }
  | { kind: 'ostep'; args: Record<string, string | boolean> };

export interface Catalog {
  allocators: Array<{ name: string; summary: string; family: string }>;
  workloads: Array<{ name: string; summary: string; params: string[] }>;
  machines: string[];
}

export interface ExperimentDone {
  kind: 'experiment-done';
  title: string;
  json: string;
  csv: string;
  tableHTML: string;
  svg: string;
  /** Wall-clock milliseconds spent in the runs (not in the report). */
  runMs: number;
  failed: number;
}

export type FromSim =
  | { kind: 'catalog'; catalog: Catalog }
  | { kind: 'progress'; done: number; total: number; label: string; ops: number }
  | ExperimentDone
  | { kind: 'heap-done'; recording: HeapRecording }
  | { kind: 'ostep-done'; text: string; error?: string }
  | { kind: 'error'; message: string };

/** What `allocsim grade` runs a model on (web:build writes the CLI's default choice to grade/inputs.json). */
export interface GradeInputs {
  inputs: GradeInput[];
  notes: string[];
}

export type ToModel =
  | { kind: 'check'; source: string; runs: number; seed: number }
  | { kind: 'grade'; source: string; inputs: GradeInput[]; traces: Record<string, string> }
  | { kind: 'heap'; source: string; job: HeapJob };

export interface PropertyReport {
  result: PropertyResult;
  /** The shrunk counterexample replayed with the heap recorded, one frame per operation. */
  replay?: HeapRecording;
}

export type FromModel =
  | { kind: 'loaded'; name: string; contract: ContractCheck[] }
  | { kind: 'property'; report: PropertyReport }
  | { kind: 'check-done' }
  | { kind: 'heap-done'; recording: HeapRecording }
  | { kind: 'grade-progress'; what: string }
  | { kind: 'grade-done'; head: string[]; rows: string[][]; valid: boolean[]; errors: string[]; legend: string; scores: string }
  | { kind: 'error'; message: string };
