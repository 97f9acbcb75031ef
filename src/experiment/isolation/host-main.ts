/**
 * Entry of a model's process, bundled into one file (bundle.ts): its main thread is the supervisor,
 * its worker thread runs the tasks with the model in its own realm.
 */
import { isMainThread } from 'node:worker_threads';
import { runSupervisor } from './supervisor.ts';
import { runWorker } from './task-runner.ts';

if (isMainThread) runSupervisor(new URL(import.meta.url));
else runWorker();
