import { hkdfSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { environment } from '../../functions/declaration.js';
import { forgetStackSecret, stackKey } from '../../functions/adapters/stack-secret.js';
import { ensureStackSecret } from '../../local/stack-secret.js';

const saved = { arn: process.env[environment.stackSecretArn], file: process.env[environment.stackSecretFile] };
let dir = '';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'motcua-secret-'));
  delete process.env[environment.stackSecretArn];
  delete process.env[environment.stackSecretFile];
  forgetStackSecret();
});

afterEach(() => {
  forgetStackSecret();
  rmSync(dir, { recursive: true, force: true });
  for (const [name, value] of [
    [environment.stackSecretArn, saved.arn],
    [environment.stackSecretFile, saved.file],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('stackKey', () => {
  it('derives a 32-byte HKDF-SHA256 key per purpose from the local secret file', async () => {
    // Prepare
    const secret = randomBytes(32);
    const file = join(dir, 'secret');
    writeFileSync(file, secret);
    process.env[environment.stackSecretFile] = file;
    // Act
    const cursor = await stackKey('cursor');
    const pin = await stackKey('pin');
    // Assess
    expect(cursor).toHaveLength(32);
    expect(cursor.equals(Buffer.from(hkdfSync('sha256', secret, 'motcua/stack-secret/v1', 'motcua:cursor', 32)))).toBe(true);
    expect(cursor.equals(pin)).toBe(false);
  });

  it('reads the secret once per container', async () => {
    const file = join(dir, 'secret');
    writeFileSync(file, randomBytes(32));
    process.env[environment.stackSecretFile] = file;
    const first = await stackKey('cursor');
    // a changed file is not seen by a warm container
    writeFileSync(file, randomBytes(32));
    expect((await stackKey('cursor')).equals(first)).toBe(true);
    expect((await stackKey('other')).length).toBe(32);
  });

  it('reads the Secrets Manager secret named by STACK_SECRET_ARN in the cloud, once', async () => {
    // Prepare: Secrets Manager's answer to GetSecretValue, as fetch receives it
    const value = 'a'.repeat(64);
    const sent: { url: string; headers: Record<string, string>; body: string }[] = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      sent.push({ url: String(url), headers: init.headers as Record<string, string>, body: String(init.body) });
      return new Response(JSON.stringify({ ARN: 'arn', Name: 'motcua-x', SecretString: value }), { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' } });
    });
    vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', 'http://127.0.0.1:9');
    process.env[environment.stackSecretArn] = 'arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:motcua-x';
    try {
      // Act
      const [a, b] = await Promise.all([stackKey('cursor'), stackKey('pin')]);
      // Assess
      expect(a.equals(Buffer.from(hkdfSync('sha256', Buffer.from(value), 'motcua/stack-secret/v1', 'motcua:cursor', 32)))).toBe(true);
      expect(b.equals(a)).toBe(false);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.url).toBe('http://127.0.0.1:9/');
      expect(sent[0]!.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
      expect(JSON.parse(sent[0]!.body)).toEqual({ SecretId: process.env[environment.stackSecretArn] });
    } finally {
      vi.unstubAllGlobals();
      vi.unstubAllEnvs();
    }
  });

  it('takes a binary secret as its bytes', async () => {
    // Prepare: JSON carries SecretBinary as base64
    const value = randomBytes(48);
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ SecretBinary: value.toString('base64') }), { status: 200 }));
    process.env[environment.stackSecretArn] = 'arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:motcua-x';
    try {
      // Act
      const key = await stackKey('cursor');
      // Assess
      expect(key.equals(Buffer.from(hkdfSync('sha256', value, 'motcua/stack-secret/v1', 'motcua:cursor', 32)))).toBe(true);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('does not keep a failed read: the next request reads the secret again', async () => {
    // Prepare: access denied first (not retried), then the secret
    let calls = 0;
    vi.stubGlobal('fetch', async () =>
      ++calls === 1
        ? new Response(JSON.stringify({ __type: 'AccessDeniedException', Message: 'not allowed' }), { status: 400 })
        : new Response(JSON.stringify({ SecretString: 'b'.repeat(40) }), { status: 200 }),
    );
    process.env[environment.stackSecretArn] = 'arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:motcua-x';
    try {
      // Act / Assess
      await expect(stackKey('cursor')).rejects.toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
      expect(await stackKey('cursor')).toHaveLength(32);
      expect(calls).toBe(2);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('refuses to run without a secret, or with a short one, and retries after a failure', async () => {
    await expect(stackKey('cursor')).rejects.toThrow(/not granted/);
    const file = join(dir, 'secret');
    writeFileSync(file, randomBytes(8));
    process.env[environment.stackSecretFile] = file;
    await expect(stackKey('cursor')).rejects.toThrow(/8 bytes/);
    writeFileSync(file, randomBytes(32));
    expect(await stackKey('cursor')).toHaveLength(32);
  });

  it('refuses a purpose that is not a plain name', async () => {
    await expect(stackKey('')).rejects.toThrow(/purpose/);
    await expect(stackKey('Cursor Key')).rejects.toThrow(/purpose/);
  });
});

describe('the local stack secret', () => {
  it('is 32 random bytes made once in the data folder, private, and kept across restarts', () => {
    const file = ensureStackSecret(dir);
    const first = readFileSync(file);
    expect(first).toHaveLength(32);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(ensureStackSecret(dir)).toBe(file);
    expect(readFileSync(file).equals(first)).toBe(true);
    // another data folder, another secret
    const other = mkdtempSync(join(tmpdir(), 'motcua-secret-'));
    try {
      expect(readFileSync(ensureStackSecret(other)).equals(first)).toBe(false);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
