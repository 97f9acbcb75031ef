// Worker-thread entry of the parallel runner (piscina). Workers do not inherit the CLI's TypeScript
// loader, so register tsx here before importing the TypeScript task module.
import { register } from 'tsx/esm/api';

register();
const { runTask } = await import('./run-task.ts');

export default runTask;
