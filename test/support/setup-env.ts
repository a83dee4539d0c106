import { inject } from 'vitest';

// Runs in every test worker before its files: SDK clients built from the default chain (the adapters in
// functions/, or a test's own) then reach the run's emulators. Tests that need other values set their own.
Object.assign(process.env, inject('localStack').env);
