// Compiled CLI: what the process (or worker thread) needs before it imports a student's model
// file: the TypeScript loader (tsx), and a resolve hook that points 'allocsim/kit' (also when
// reached as node_modules/allocsim/src/allocators/kit/kit.ts) at the compiled kit beside this file,
// so the model and the CLI share one AllocatorAbort, one BaseModel, one registry.
import { register } from 'node:module';
import { prepareOutsideImports } from '../../src/experiment/outside-code.ts';

prepareOutsideImports(async () => {
  const tsx = await import('tsx/esm/api');
  tsx.register();
  // Registered after tsx, so it runs first.
  register(new URL('./kit-hooks.mjs', import.meta.url));
});
