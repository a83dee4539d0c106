import { sleep } from '../../local/support.js';

/**
 * Retries a probe until it stops throwing: consumers, counters and the sweeper act after the step that
 * triggers them. After `timeoutMs` the last failure is thrown, named by `what`.
 */
export async function eventually<T>(what: string, probe: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what}: ${(err as Error).message}`);
      await sleep(200);
    }
  }
}
