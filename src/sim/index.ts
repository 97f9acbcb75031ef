export * from './event-queue.ts';
export * from './kernel.ts';
export * from './ops.ts';
export * from './primitives.ts';
export * from './rng.ts';
export * from './thread.ts';
export * from './excerpt.ts';
export * from './hex.ts';
