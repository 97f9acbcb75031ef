/**
 * What the model's process is asked to do with a model, and what it answers: plain data only
 * (sent between processes). Each task runs the same code the in-process commands run.
 */
import type { ModelInfo } from '../../allocators/kit/contract.ts';
import type { ParamSpec, ParamValue } from '../../lib/params.ts';
import type { PropertyResult } from '../conformance.ts';
import type { CourseworkRun, CourseworkWorkload } from '../coursework-suite.ts';
import type { HeapSample, Step } from '../heap-recorder.ts';
import type { ContractCheck } from '../model-contract.ts';
import type { Result } from '../result.ts';
import type { RunConfig } from '../run.ts';

export type Task =
  | { kind: 'contract' }
  | {
      kind: 'property';
      name: string;
      seed: number;
      numRuns: number;
      params: Record<string, ParamValue>;
      path?: string;
      replayPath?: string;
      races?: boolean;
    }
  | { kind: 'coursework'; workload: CourseworkWorkload; seed: number; scale?: number; params: Record<string, ParamValue> }
  | { kind: 'run'; config: Omit<RunConfig, 'allocator' | 'openLines'>; steps?: number; samples?: number };

export interface ModelSummary {
  name: string;
  summary: string;
  params: ParamSpec[];
  doc?: string;
}

export interface ContractAnswer {
  model: ModelSummary;
  checks: ContractCheck[];
}

export interface RecordedRun {
  result: Result;
  recorder?: { steps: Step[]; samples: HeapSample[]; stepsSkipped: number; hasHeapWalk: boolean };
}

export interface TaskAnswers {
  contract: ContractAnswer;
  property: PropertyResult;
  coursework: CourseworkRun;
  run: RecordedRun;
}

export function summaryOf(info: ModelInfo): ModelSummary {
  return { name: info.name, summary: info.summary, params: [...info.params], ...(info.doc !== undefined ? { doc: info.doc } : {}) };
}
