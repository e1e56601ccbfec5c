#!/usr/bin/env node
// Runs the TypeScript CLI directly, bundled on first use (import-bundled.js): a fresh clone
// needs no build step.
import { importBundled } from '../src/platform/import-bundled.js';

await importBundled(new URL('../src/cli/main.ts', import.meta.url));
