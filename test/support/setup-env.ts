import { inject } from 'vitest';

// Runs in every test worker before its files: SDK clients built from the default chain (the adapters in
// functions/, or a test's own) then reach the run's emulators. Tests that need other values set their own.
Object.assign(process.env, inject('localStack').env);

// The run's stack announces concurrent invocations (AWS_LAMBDA_MAX_CONCURRENCY) in its own process, where
// it keeps the InvokeStore they need; a worker inherits the variable but not the store, and Powertools
// would then refuse to log in tests that call a handler directly.
delete process.env.AWS_LAMBDA_MAX_CONCURRENCY;
