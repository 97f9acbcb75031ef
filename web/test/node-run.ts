/**
 * The runs of a playground experiment under Node, timed as the simulator's worker times them (the
 * runs only, not start-up or the report): `node --import tsx web/test/node-run.ts 'a=glibc&w=msgpass'`
 * prints the milliseconds. Used by speed.ts.
 */
import '../../src/allocators/index.ts';
import '../../src/workloads/index.ts';
import { expandGrid } from '../../src/experiment/grid.ts';
import { runExperiment } from '../../src/experiment/run.ts';
import { formFromQuery, gridSpecOf } from '../src/experiment-form.ts';

const points = expandGrid(gridSpecOf(formFromQuery(process.argv[2] ?? '')));
const start = performance.now();
for (const p of points) runExperiment(p.config);
console.log(Math.round(performance.now() - start));
