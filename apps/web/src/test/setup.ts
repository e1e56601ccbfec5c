import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// Testing Library unmounts after each test by itself only with global test functions, which this repo does not use.
afterEach(cleanup);

// happy-dom has no FontFaceSet; Mantine's autosizing textarea listens to it for re-measuring.
if (!('fonts' in document)) {
  Object.defineProperty(document, 'fonts', { value: Object.assign(new EventTarget(), { ready: Promise.resolve() }) });
}
