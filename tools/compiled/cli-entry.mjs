// Entry of the compiled CLI (dist/cli.js, tools/build.mjs): src/cli/main.ts, with worker threads
// that run dist/worker.mjs and model files loaded as outside.mjs says.
import './outside.mjs';
import { useWorkerEntry } from '../../src/experiment/worker-entry-url.ts';

useWorkerEntry(new URL('./worker.mjs', import.meta.url).href);
export { main } from '../../src/cli/main.ts';
