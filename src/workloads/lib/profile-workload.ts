/**
 * Builds a workload that replays a measured allocation profile (cfrac, espresso): one thread,
 * `scale` × the measured allocation events.
 */
import { bool, num, type ParamSpec } from '../../lib/params.ts';
import type { WorkloadEnv, WorkloadInfo, WorkloadInstance } from '../contract.ts';
import { profileEvents, replayProfile, type AllocProfile } from './alloc-profile.ts';
import { scaled, scaleParam } from './params.ts';

export interface ProfileWorkloadSpec {
  name: string;
  summary: string;
  profile: AllocProfile;
  sources: string[];
  defaultScale: number;
  /** Application work per allocation, from the measured instruction count (see the doc page). */
  computePerAlloc: number;
  computeSource: string;
}

/** 1234567 -> '1,234,567' (as toLocaleString('en-US'), without loading the locale data at start-up). */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function profileWorkload(spec: ProfileWorkloadSpec): WorkloadInfo {
  const params: ParamSpec[] = [
    {
      name: 'computePerAlloc',
      type: 'int',
      default: spec.computePerAlloc,
      min: 0,
      description: 'application work between allocations (compute units ≈ instructions)',
      source: spec.computeSource,
    },
    { name: 'touch', type: 'bool', default: true, description: 'write every byte of each new block' },
    {
      name: 'warmStart',
      type: 'bool',
      default: true,
      description: "begin with the long run's stationary live set (so a short replay has the real heap size), not an empty heap",
    },
    scaleParam(spec.defaultScale, `the ${thousands(profileEvents(spec.profile))} measured allocation events`),
  ];
  const create = (env: WorkloadEnv): WorkloadInstance => {
    const p = env.params;
    const events = scaled(profileEvents(spec.profile), num(p, 'scale'));
    const body = replayProfile(spec.profile, env.rng(0), {
      events,
      warmStart: bool(p, 'warmStart'),
      computePerAlloc: num(p, 'computePerAlloc'),
      touchBlocks: bool(p, 'touch'),
    });
    return { threads: [{ name: spec.name, body }], report: () => ({ allocationEvents: events }) };
  };
  return { name: spec.name, summary: spec.summary, params, sources: spec.sources, doc: `docs/workloads/${spec.name}.md`, create };
}
