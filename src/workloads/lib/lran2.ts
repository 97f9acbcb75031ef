/**
 * lran2: Wolfram Gloger's small portable generator (a Bays-Durham shuffled LCG, constants from
 * Numerical Recipes), as used by larson and xmalloc-test in daanx/mimalloc-bench
 * (bench/larson/larson.cpp, bench/xmalloc-test/random.h). Ported so that the default run seed
 * reproduces the programs' own sequences of sizes and victims.
 */
const LRAN2_MAX = 714025;
const IA = 1366;
const IC = 150889;

export class Lran2 {
  private x: number;
  private y: number;
  private readonly v = new Array<number>(97);

  constructor(seed: number) {
    let x = (IC - seed) % LRAN2_MAX;
    if (x < 0) x = -x;
    for (let j = 0; j < 97; j++) {
      x = (IA * x + IC) % LRAN2_MAX;
      this.v[j] = x;
    }
    this.x = (IA * x + IC) % LRAN2_MAX;
    this.y = this.x;
  }

  /** The next value, in [0, 714025). */
  next(): number {
    const j = this.y % 97;
    this.y = this.v[j] as number;
    this.x = (IA * this.x + IC) % LRAN2_MAX;
    this.v[j] = this.x;
    return this.y;
  }
}
