/**
 * A data race found by the machine's detector (src/machine/race/), as the checker reports it: both
 * accesses (thread, operation, code path), the address, and what lives there as far as the
 * checker knows (a live block, or a region of the model's heap walk).
 */
import type { RaceAccess, RaceReport } from '../machine/race/report.ts';
import { ORIGIN_NAMES } from '../machine/origin-counters.ts';
import { hex, type Violation } from './violations.ts';

/** Where the racing address lies, in words ("in the free region 0x…+64 of the heap walk (owner thread 1)"). */
export interface RaceSite {
  block?: { addr: number; size: number; thread: number };
  region?: { addr: number; size: number; kind: string; owner?: number };
  /** The mapping the address is in (its name, e.g. the model's static data 'allocator.bss'), when neither of the above. */
  mapping?: string;
}

function access(a: RaceAccess): string {
  const what = `${a.atomic ? 'atomic ' : ''}${a.write ? 'write' : 'read'}`;
  const op = a.op === '' ? 'outside any allocator call' : `in ${a.op}`;
  return `thread ${a.thread} ${op}${a.path === '' ? '' : ` [${a.path}]`}: ${what}`;
}

function where(site: RaceSite): string {
  if (site.block !== undefined)
    return `inside the live block ${hex(site.block.addr)} (${site.block.size} bytes, allocated by thread ${site.block.thread})`;
  const r = site.region;
  if (r !== undefined)
    return `in the ${r.kind} region ${hex(r.addr)}+${r.size} of the heap walk${r.owner === undefined ? '' : ` (owner thread ${r.owner})`}`;
  if (site.mapping !== undefined && site.mapping !== '')
    return `in the mapping '${site.mapping}' (the allocator's own memory, outside every live block and heap-walk region)`;
  return 'in allocator memory outside every live block and heap-walk region';
}

export function raceMessage(r: RaceReport, site: RaceSite): string {
  return (
    `data race on ${hex(r.address)} (${ORIGIN_NAMES[r.origin] ?? 'memory'}, ${where(site)}): ` +
    `${access(r.current)}, concurrent with ${access(r.previous)}; ` +
    `no lock, release/acquire atomic or hand-off orders the two`
  );
}

export function raceViolation(r: RaceReport, site: RaceSite): Violation {
  return { kind: 'data-race', message: raceMessage(r, site), thread: r.current.thread, op: r.current.op, address: r.address, race: r };
}
