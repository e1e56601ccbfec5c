import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev -w @touchpoint/web` serves the app with hot reload against a server on :3000.
export default defineConfig({
  plugins: [react()],
  build: {
    target: 'es2022',
    // The server gzips on the fly; the size report would only slow every build down.
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1000,
  },
  server: {
    proxy: { '/api': { target: process.env.TOUCHPOINT_URL ?? 'http://localhost:3000', ws: true } },
  },
});
