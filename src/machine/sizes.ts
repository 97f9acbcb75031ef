/** The hardware's fixed sizes: cache line, base page and huge page (x86-64). */
export const LINE_SIZE = 64;
export const PAGE_SIZE = 4096;
export const HUGE_PAGE_SIZE = 2 * 1024 * 1024;
