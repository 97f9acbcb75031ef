export * from './batchit.ts';
export * from './shape.ts';
