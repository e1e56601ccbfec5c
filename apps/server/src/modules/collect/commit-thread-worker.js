// Entry of the ingest commit thread (see commit-thread.ts). A worker does not inherit the
// parent's TypeScript loader, so it registers tsx itself before loading the real code.
import { register } from 'tsx/esm/api';

register();
await import('./commit-thread-main.ts');
