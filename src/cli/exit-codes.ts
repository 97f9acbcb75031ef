/** The command line's exit codes: 0 ok, 1 a run failed a check, 2 a usage error. */
export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_USAGE = 2;
