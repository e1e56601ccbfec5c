#!/usr/bin/env node
// Runs the TypeScript CLI directly, bundled on first use (import-bundled.js): a fresh clone
// needs no build step.
import { importBundled, SourceError } from '../src/platform/import-bundled.js';

try {
  await importBundled(new URL('../src/cli/main.ts', import.meta.url));
} catch (error) {
  if (!(error instanceof SourceError)) throw error;
  // Where the code is wrong is what helps; the loader's own stack does not.
  console.error(`touchpoint: ${error.message}`);
  process.exitCode = 1;
}
