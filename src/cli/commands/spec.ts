/**
 * What each command is called and what it does: the text of `allocsim --help`. The command modules
 * take their names from here and main.ts loads only the module of the command being run, so
 * `allocsim --help` starts without loading the simulator.
 */
export const COMMANDS = {
  list: { command: 'list [what]', describe: 'list allocators, workloads and machines' },
  describe: {
    command: 'describe <name>',
    describe: 'show an allocator model (size classes, constants, parameters, sources) or a workload (parameters, sources)',
  },
  run: { command: 'run', describe: 'run one workload against one allocator model' },
  check: {
    command: 'check <allocator>',
    describe: 'check a model (a name, or a model file such as ./allocator.ts) against the contract and the invariant suite',
  },
  compare: { command: 'compare', describe: 'compare allocators on workloads across thread counts and seeds, relative to a baseline' },
  sweep: { command: 'sweep', describe: 'run a grid over model or workload parameter values (--param key=v1,v2,...)' },
  merge: { command: 'merge <files..>', describe: 'join the shard files of a --shard run into one report (the same as the unsharded run)' },
  batchit: {
    command: 'batchit',
    describe: 'the main experiment: snmalloc and mimalloc with and without BatchIt on msgpass at 1-8 producer/consumer pairs',
  },
  ostepFreespace: {
    command: 'ostep-freespace',
    describe: "OSTEP's free-space simulator (vm-freespace/malloc.py): same flags, same output for the same seed",
  },
  init: {
    command: 'init <dir>',
    describe: 'create a student project: allocator.ts (a working model to start from), its test, a README with the assignment ladder',
  },
  grade: {
    command: 'grade <allocator..>',
    describe:
      'score models as allocator courses do: utilization, throughput against reference models, and a Perf index (several files or a directory: one row each)',
  },
} as const satisfies Record<string, { command: string; describe: string }>;

export type CommandKey = keyof typeof COMMANDS;
