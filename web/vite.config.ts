import { defineConfig } from 'vite';

// A static single-page app: hashed assets under /assets, index.html at the root of its origin (CloudFront's
// default behaviour in the cloud, the local API server under `npm start`). No environment values are baked
// in: where to sign in is read at run time from /config.json, so the bundle holds no secret and no account id.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  envPrefix: 'MOTCUA_WEB_PUBLIC_',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
});
