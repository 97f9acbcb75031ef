/**
 * glibc's random()/rand() (the default TYPE_3 additive feedback generator, random_r.c): the state
 * is seeded with 16807·x mod (2^31 − 1), 310 outputs are discarded, and each output is
 * r[i] = r[i−3] + r[i−31] (mod 2^32) shifted right by one. Programs that call rand() without
 * srand() see seed 1. Ported so the default run seed reproduces what glibc-thread, mleak and the
 * course's Collatz programs draw.
 */
export class GlibcRandom {
  private readonly r = new Int32Array(34);
  private i = 0;

  constructor(seed = 1) {
    const r = new Int32Array(344);
    r[0] = seed === 0 ? 1 : seed | 0;
    for (let k = 1; k < 31; k++) {
      // 16807 * r[k-1] % 2147483647 without overflow (Schrage's method, as glibc does).
      const prev = r[k - 1] as number;
      const hi = Math.trunc(prev / 127773);
      const lo = prev % 127773;
      let word = 16807 * lo - 2836 * hi;
      if (word < 0) word += 2147483647;
      r[k] = word;
    }
    for (let k = 31; k < 34; k++) r[k] = r[k - 31] as number;
    for (let k = 34; k < 344; k++) r[k] = ((r[k - 31] as number) + (r[k - 3] as number)) | 0;
    // Keep the last 34 values as a circular history.
    for (let k = 0; k < 34; k++) this.r[k] = r[310 + k] as number;
  }

  /** The next value of random(), in [0, 2^31). */
  next(): number {
    const r = this.r;
    const i = this.i;
    const v = ((r[(i + 34 - 31) % 34] as number) + (r[(i + 34 - 3) % 34] as number)) | 0;
    r[i] = v;
    this.i = (i + 1) % 34;
    return v >>> 1;
  }
}
