import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { agencyQueue } from '../../functions/declaration.js';
import { parseDossierCode } from '../../functions/domain/codes.js';
import { fauxqsAccountId } from '../../local/sqs.js';
import { alive, freePort, repoRoot, sleep } from '../../local/support.js';
import { fixtureProvinceInput, writeFixtureProvinceFile } from '../fixtures/province.js';
import { applicant } from '../support/dossiers.js';
import { samplePdf } from '../support/files.js';

/**
 * A power cut in the middle of a busy hour, on one machine: the whole local runtime, started as `npm start`
 * starts it (tsx local/main.ts, its own process group), is killed with SIGKILL while citizens submit and
 * upload, started again on the same data folder, and every request is retried with its Idempotency-Key.
 */

const provinceId = fixtureProvinceInput.id;
/** a procedure without required documents: submitted at once, so every 201 is a dossier with a code and a message */
const birthRegistration = (n: number) => ({
  serviceId: '1.001193',
  agencyId: n % 2 === 0 ? 'ubnd-xa-mai-pha' : 'ubnd-xa-hoang-dong',
  applicant: applicant(n),
  fields: { childName: `Hoàng Minh ${n}`, birthDate: '2026-02-20' },
});
const communes = ['ubnd-xa-mai-pha', 'ubnd-xa-hoang-dong'];
/** a procedure whose form needs one PDF: a draft with one upload slot */
const recordRequest = (n: number) => ({ serviceId: '1.001023', applicant: applicant(500 + n), fields: { purpose: `Xin việc ${n}`, copies: 1 } });

interface Runtime {
  readonly process: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

function startRuntime(env: Record<string, string>): Runtime {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, LOG_LEVEL: 'ERROR' };
  delete childEnv.MOTCUA_PROVINCE;
  const child = spawn(join(repoRoot, 'node_modules', '.bin', 'tsx'), ['local/main.ts'], { cwd: repoRoot, env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-6000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { process: child, output: () => output, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

type Probe = 'refused' | 'timeout' | 'unavailable' | 'unavailable-without-retry-after' | 'ready' | `other ${number}`;

/** Polls until the API answers; every answer on the way is recorded, so that a request that hangs shows. */
async function waitReady(apiUrl: string, runtime: Runtime, timeoutMs: number): Promise<Probe[]> {
  const seen: Probe[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (runtime.process.exitCode !== null) throw new Error(`the runtime exited (${runtime.process.exitCode}): ${runtime.output()}`);
    if (Date.now() > deadline) throw new Error(`the runtime was not ready within ${timeoutMs / 1000} s: ${runtime.output()}`);
    try {
      const res = await fetch(`${apiUrl}/agencies`, { signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      if (res.status === 200) {
        seen.push('ready');
        return seen;
      }
      seen.push(res.status === 503 ? (res.headers.get('retry-after') ? 'unavailable' : 'unavailable-without-retry-after') : `other ${res.status}`);
    } catch (err) {
      seen.push((err as Error).name === 'TimeoutError' ? 'timeout' : 'refused');
    }
    await sleep(100);
  }
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

describe('kill -9 of the whole local runtime under load', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'motcua-crash-e2e-'));
  const provinceFile = writeFixtureProvinceFile();
  const running: Runtime[] = [];

  afterAll(async () => {
    for (const runtime of running) {
      if (runtime.process.exitCode === null && runtime.process.pid) {
        try {
          process.kill(-runtime.process.pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses no dossier, doubles none, reuses no code, skips none, publishes every one and verifies every acknowledged upload', { timeout: 240_000 }, async () => {
    // Prepare
    const [api, dynamodb, s3, sqsPort, ses, sms] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    // every port its own, so that nothing else on the machine (another stack on the defaults) is in the way
    const env = {
      MOTCUA_SES_PORT: String(ses),
      MOTCUA_SMS_PORT: String(sms),
      MOTCUA_API_PORT: String(api),
      MOTCUA_DYNAMODB_PORT: String(dynamodb),
      MOTCUA_S3_PORT: String(s3),
      MOTCUA_SQS_PORT: String(sqsPort),
      MOTCUA_DATA_DIR: dataDir,
      MOTCUA_PROVINCE_FILE: provinceFile,
    };
    const apiUrl = `http://127.0.0.1:${api}`;
    const first = startRuntime(env);
    running.push(first);
    await waitReady(apiUrl, first, 60_000);
    const call = async (path: string, init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
      const res = await fetch(`${apiUrl}${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...init.headers },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(20_000),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, json: (text ? JSON.parse(text) : undefined) as any }; // `any`: answers are read field by field and asserted on
    };
    // The signing key lives in the data folder and the issuer names the same port, so the token outlives the crash.
    const token = ((await call('/local/token', { body: { role: 'citizen', subject: 'citizen-crash-1' } })).json as { token: string }).token;
    const uploads = await Promise.all(
      Array.from({ length: 6 }, async (_, n) => {
        const draft = await call('/dossiers', { token, body: recordRequest(n) });
        expect(draft.status).toBe(201);
        const ref = draft.json.code as string;
        const slot = await call(`/dossiers/${ref}/documents`, { token, body: { component: 'to-khai', fileName: 'to-khai.pdf', contentType: 'application/pdf', size: samplePdf.length } });
        expect(slot.status).toBe(201);
        return { ref, documentId: slot.json.document.id as string, url: slot.json.upload.url as string };
      }),
    );

    // Act: submissions run 6 at a time; once 15 have answered, the files are PUT, and once S3 has
    // acknowledged them, the runtime's whole process group is killed (the submissions in flight die with it).
    const total = 40;
    const keys = Array.from({ length: total }, (_, n) => `crash-e2e-${n}-${Date.now().toString(36)}`);
    const firstAnswers: (number | 'failed')[] = [];
    let answered = 0;
    let killed: Promise<void> | undefined;
    const acknowledged: typeof uploads = [];
    const kill = async (): Promise<void> => {
      await Promise.all(
        uploads.map(async (upload) => {
          const put = await fetch(upload.url, { method: 'PUT', body: samplePdf, signal: AbortSignal.timeout(20_000) }).catch(() => undefined);
          await put?.arrayBuffer();
          if (put?.status === 200) acknowledged.push(upload);
        }),
      );
      process.kill(-first.process.pid!, 'SIGKILL');
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (next < total) {
          const n = next++;
          try {
            firstAnswers[n] = (await call('/dossiers', { token, body: birthRegistration(n), headers: { 'idempotency-key': keys[n]! } })).status;
          } catch {
            firstAnswers[n] = 'failed';
          }
          if (++answered === 15) killed = kill();
        }
      }),
    );
    await killed;
    await first.exited;
    const dynamoPid = Number(readFileSync(join(dataDir, 'dynamodb', 'dynamodb-local.pid'), 'utf8'));

    // Assess the kill: no DynamoDB Local left behind holding the port.
    expect(await waitGone(dynamoPid, 10_000)).toBe(true);

    // Act: start again on the same data and ports, probing the API while it starts, then retry everything.
    const second = startRuntime(env);
    running.push(second);
    const probes = await waitReady(apiUrl, second, 60_000);
    const retried: Awaited<ReturnType<typeof call>>[] = [];
    let nextRetry = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (nextRetry < total) {
          const n = nextRetry++;
          // As a client does: a 5xx or a dropped connection is asked again, with the same key, and so is
          // a 409 request_in_progress (a claim of a request the kill cut off), after its Retry-After.
          for (let attempt = 1; ; attempt++) {
            const answer = await call('/dossiers', { token, body: birthRegistration(n), headers: { 'idempotency-key': keys[n]! } }).catch(() => undefined);
            const inProgress = answer?.status === 409 && answer.json?.error?.code === 'request_in_progress';
            if ((answer && answer.status < 500 && !inProgress) || attempt === 40) {
              retried[n] = answer ?? { status: 0, headers: new Headers(), json: undefined };
              break;
            }
            await sleep(inProgress ? Number(answer.headers.get('retry-after') ?? 2) * 1000 : 200 * Math.min(attempt, 5));
          }
        }
      }),
    );

    // Assess: while starting, a request is refused or told to come back, never left hanging.
    expect(probes.filter((p) => p !== 'refused' && p !== 'unavailable' && p !== 'ready')).toEqual([]);
    // Some submissions were cut off by the kill, some had been answered: the test crashed mid-load.
    expect(firstAnswers.filter((a) => a === 201).length).toBeGreaterThan(0);
    expect(firstAnswers.filter((a) => a === 'failed').length).toBeGreaterThan(0);
    // Every retry is answered 201, a key names one dossier, and no two keys share one.
    expect(retried.map((r) => r.status)).toEqual(keys.map(() => 201));
    const codes = retried.map((r) => r.json.code as string);
    expect(new Set(codes).size).toBe(total);
    // The citizen sees exactly those dossiers: none lost, none doubled.
    const listed: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call(`/dossiers?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
      expect(page.status).toBe(200);
      listed.push(...(page.json.items as { code: string; service: { id: string } }[]).filter((d) => d.service.id === '1.001193').map((d) => d.code));
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(listed.sort()).toEqual([...codes].sort());
    // Per agency and day the sequence runs 1, 2, 3… with no gap and no repeat.
    const sequences = new Map<string, number[]>();
    for (const code of codes) {
      const parsed = parseDossierCode(code);
      expect(parsed).toBeDefined();
      const group = `${parsed!.agencyCode}-${parsed!.day}`;
      sequences.set(group, [...(sequences.get(group) ?? []), parsed!.sequence]);
    }
    // Per agency and day no number is used twice (codes are unique above), and none is skipped: a number
    // taken by a request the kill cut off is held by its key, and the retry with that key gets it back.
    const holes: string[] = [];
    for (const [group, seen] of sequences) {
      for (let n = 1; n <= Math.max(...seen); n++) if (!seen.includes(n)) holes.push(`${group}-${n}`);
    }
    expect(holes).toEqual([]);

    // Every dossier's dossier.submitted message is on its agency queue, at least once.
    const sqs = new SQSClient({ region: 'ap-southeast-1', endpoint: `http://127.0.0.1:${sqsPort}`, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const published = new Set<string>();
    const deadline = Date.now() + 30_000;
    while (!codes.every((c) => published.has(c)) && Date.now() < deadline) {
      for (const agencyId of communes) {
        const queueUrl = `http://127.0.0.1:${sqsPort}/${fauxqsAccountId}/${agencyQueue.name(provinceId, agencyId)}`;
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        for (const m of Messages) {
          const body = JSON.parse(m.Body ?? '{}') as { type?: string; dossier?: { code?: string } };
          if (body.type === 'dossier.submitted' && body.dossier?.code) published.add(body.dossier.code);
        }
        if (Messages.length > 0) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
      }
    }
    sqs.destroy();
    expect(codes.filter((c) => !published.has(c))).toEqual([]);

    // Every upload S3 acknowledged before the kill ends up verified.
    expect(acknowledged.length).toBeGreaterThan(0);
    const pendingUploads = async () => {
      const left: string[] = [];
      for (const upload of acknowledged) {
        const dossier = await call(`/dossiers/${upload.ref}`, { token });
        const document = (dossier.json.documents as { id: string; status: string }[] | undefined)?.find((d) => d.id === upload.documentId);
        if (document?.status !== 'verified') left.push(`${upload.ref}: ${document?.status ?? 'missing'}`);
      }
      return left;
    };
    let left = await pendingUploads();
    for (const end = Date.now() + 15_000; left.length > 0 && Date.now() < end; left = await pendingUploads()) await sleep(250);
    expect(left).toEqual([]);

    // A normal stop leaves nothing behind either.
    const secondDynamoPid = Number(readFileSync(join(dataDir, 'dynamodb', 'dynamodb-local.pid'), 'utf8'));
    process.kill(-second.process.pid!, 'SIGTERM');
    await second.exited;
    expect(await waitGone(secondDynamoPid, 10_000)).toBe(true);
  });
});
