export * from './address-space.ts';
export * from './atomic-stats.ts';
export * from './cache-hierarchy.ts';
export * from './costs.ts';
export * from './cpu.ts';
export * from './fault.ts';
export * from './machine.ts';
export * from './stats.ts';
