/**
 * The allocsim command line (yargs). Every command lives in its own file under src/cli/commands/.
 * Exit codes: 0 ok, 1 a run failed a check, 2 usage error.
 */
export async function main(argv: string[]): Promise<number> {
  void argv;
  process.stdout.write('allocsim: a discrete-event simulator of memory-allocator designs\n');
  return 0;
}
