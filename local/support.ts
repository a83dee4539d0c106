import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: route and consumer entries in the declaration are relative to it. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

export const loopback = '127.0.0.1';

/** Emulators that cannot bind port 0 themselves (DynamoDB Local) get a port the OS just handed out. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, loopback, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether a process exists (signal 0 checks without sending anything). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Fails with one line naming the port and the variable that moves it. s3rver and fauxqs would otherwise
 * crash the process with an unhandled 'error' event when their port is taken.
 */
export function assertPortFree(port: number, what: string, variable: string): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(`port ${port} for ${what} is ${err.code === 'EADDRINUSE' ? 'already in use' : `unusable (${err.code})`}: stop what holds it or set ${variable}`)),
    );
    probe.listen(port, loopback, () => probe.close(() => resolve()));
  });
}

export async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`${what} did not answer within ${Math.round(timeoutMs / 1000)} s${reason}`);
    }
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function readJson<T>(file: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return JSON.parse(text) as T;
}

/**
 * Write then rename, so a kill in the middle leaves the previous file rather than half a file. Files
 * written one after the other are in the kernel in that order, which is what the checkpoints rely on when
 * the process dies. No fsync: the whole runtime shares one event loop, and a synchronous flush on every
 * checkpoint and upload would stall every request; a power cut is therefore not covered the same way.
 */
export function writeJsonAtomic(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, file);
}

export interface Logger {
  info(message: string): void;
  error(message: string, err?: unknown): void;
}

export function consoleLogger(quiet: boolean): Logger {
  return {
    info: (message) => {
      if (!quiet) console.log(message);
    },
    // Errors are shown even when quiet: a failing handler must never go unnoticed.
    error: (message, err) => {
      console.error(err === undefined ? message : `${message}\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    },
  };
}
