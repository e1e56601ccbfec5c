export * from './errors.ts';
export * from './tracking.ts';
export * from './customers.ts';
export * from './workspaces.ts';
