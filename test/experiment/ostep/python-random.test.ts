/**
 * PythonRandom reproduces CPython 3.11's random module. Expected values were printed by python3
 * (random.seed(s); random.random() x3; getrandbits(70); randint(1, 6) x5; randrange(0, 1000);
 * getrandbits(5); and the 701st random() after re-seeding, which crosses a twist of the state).
 */
import { describe, expect, it } from 'vitest';
import { PythonRandom } from '../../../src/experiment/ostep/python-random.ts';

const EXPECTED: Array<{
  seed: string;
  floats: number[];
  bits70: string;
  dice: number[];
  below1000: number;
  bits5: number;
  after1400: number;
}> = [
  {
    seed: '0',
    floats: [0.8444218515250481, 0.7579544029403025, 0.420571580830845],
    bits70: '608105494072089140794',
    dice: [4, 4, 3, 4, 3],
    below1000: 597,
    bits5: 28,
    after1400: 0.6380736282281027,
  },
  {
    seed: '1',
    floats: [0.13436424411240122, 0.8474337369372327, 0.763774618976614],
    bits70: '574024282404777899068',
    dice: [4, 4, 6, 4, 2],
    below1000: 96,
    bits5: 15,
    after1400: 0.0601840957099572,
  },
  {
    seed: '42',
    floats: [0.6394267984578837, 0.025010755222666936, 0.27502931836911926],
    bits70: '869570991858821387998',
    dice: [1, 6, 6, 5, 1],
    below1000: 604,
    bits5: 13,
    after1400: 0.6476347234024807,
  },
  {
    seed: '-7',
    floats: [0.32383276483316237, 0.15084917392450192, 0.6509344730398537],
    bits70: '642339135128645349171',
    dice: [1, 3, 5, 1, 5],
    below1000: 219,
    bits5: 1,
    after1400: 0.33805157034346633,
  },
  {
    seed: '4294967296',
    floats: [0.11299430095636409, 0.41782886486292836, 0.0166763664992291],
    bits70: '956945013401412290313',
    dice: [3, 5, 4, 1, 2],
    below1000: 77,
    bits5: 26,
    after1400: 0.46026819317410395,
  },
  {
    seed: '1099511627779',
    floats: [0.21978710637116716, 0.5494687768352203, 0.09461190973523603],
    bits70: '1057074811182788714869',
    dice: [6, 4, 2, 4, 5],
    below1000: 573,
    bits5: 23,
    after1400: 0.1170066592673743,
  },
  {
    seed: '123456789012345678901234567890',
    floats: [0.7275084571578186, 0.1595204831720859, 0.011812474780114934],
    bits70: '1050638697859407469061',
    dice: [6, 5, 6, 6, 6],
    below1000: 936,
    bits5: 3,
    after1400: 0.89684977053246,
  },
];

describe('PythonRandom (CPython random, MT19937)', () => {
  it.each(EXPECTED.map((e) => [e.seed, e]))('seed %s gives the same numbers as Python', (_s, e) => {
    const r = new PythonRandom(BigInt(e.seed));
    expect([r.random(), r.random(), r.random()]).toEqual(e.floats);
    expect(String(r.getrandbits(70))).toBe(e.bits70);
    expect(Array.from({ length: 5 }, () => r.randint(1, 6))).toEqual(e.dice);
    expect(r.randrange(0, 1000)).toBe(e.below1000);
    expect(Number(r.getrandbits(5))).toBe(e.bits5);
    const again = new PythonRandom(BigInt(e.seed));
    for (let i = 0; i < 700; i++) again.random();
    expect(again.random()).toBe(e.after1400);
  });

  it('a seed and its negation give the same stream, as in Python', () => {
    expect(new PythonRandom(5).random()).toBe(new PythonRandom(-5).random());
  });
});
