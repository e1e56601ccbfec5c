// Entry of the ingest commit thread (see commit-thread.ts). A worker does not inherit the
// parent's module loader, so it loads its TypeScript itself, bundled (import-bundled.js).
import { importBundled } from '../../platform/import-bundled.js';

await importBundled(new URL('./commit-thread-main.ts', import.meta.url));
