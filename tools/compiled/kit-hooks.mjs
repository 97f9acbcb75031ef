// Module resolve hook of the compiled CLI (see outside.mjs): the kit, by name or by its source
// path, is the compiled dist/kit.mjs. Everything else resolves as before (tsx, then Node).
const KIT = new URL('./kit.mjs', import.meta.url).href;
const SOURCE_KIT = new URL('../src/allocators/kit/kit.ts', import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === 'allocsim/kit') return { url: KIT, format: 'module', shortCircuit: true };
  const r = await next(specifier, context);
  return r.url === SOURCE_KIT ? { url: KIT, format: 'module', shortCircuit: true } : r;
}
