// Entry of the compiled parallel runner's worker threads (dist/worker.mjs, tools/build.mjs).
import './outside.mjs';
import { runTask } from '../../src/experiment/run-task.ts';

export default runTask;
