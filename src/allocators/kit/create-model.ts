/** Builds a model for a simulated process: its parameters resolved against its ParamSpecs, fresh counters. */
import type { Machine } from '../../machine/machine.ts';
import { resolveParams, type ParamValue } from '../../lib/params.ts';
import type { AllocatorModel, ModelInfo } from './contract.ts';
import { Counters } from './model-counters.ts';

export function createModel(
  info: ModelInfo,
  machine: Machine,
  overrides: Readonly<Record<string, ParamValue>> = {},
  seed = 1,
): AllocatorModel {
  const params = resolveParams(`allocator ${info.name}`, info.params, overrides);
  return info.create({ machine, params, counters: new Counters(), seed });
}
