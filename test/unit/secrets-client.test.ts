import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { paymentEnvironment, environment } from '../../functions/declaration.js';
import { merchantConfig } from '../../functions/adapters/merchant.js';
import { nationalConfig } from '../../functions/adapters/national-portal.js';
import { forgetSecretsClient } from '../../functions/adapters/secrets-client.js';

/** Secrets Manager as fetch meets it: GetSecretValue answers the secret's JSON string; the requests are kept. */
function secretsManager(secrets: Record<string, unknown>) {
  const asked: string[] = [];
  vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
    const headers = init.headers as Record<string, string>;
    if (headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') return new Response('{}', { status: 400 });
    const { SecretId } = JSON.parse(String(init.body)) as { SecretId: string };
    asked.push(SecretId);
    if (!(SecretId in secrets)) return new Response(JSON.stringify({ __type: 'ResourceNotFoundException', Message: "Secrets Manager can't find the specified secret." }), { status: 400 });
    return new Response(JSON.stringify({ Name: SecretId, SecretString: JSON.stringify(secrets[SecretId]) }), { status: 200 });
  });
  return asked;
}

const merchant = { provider: 'paygov', merchantCode: 'M-1', secret: 's'.repeat(32), payUrl: 'https://pay.example.test/pay', apiUrl: 'https://pay.example.test/api' };
const portal = { url: 'https://dvcqg.example.test', username: 'u', password: 'p', dstcode: 'H37', madonvi: '000.00.00.H37' };

beforeEach(() => {
  vi.stubEnv(paymentEnvironment.secretFile, '');
  vi.stubEnv(environment.nationalConfigFile, '');
  forgetSecretsClient();
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});

describe('secrets read from Secrets Manager', () => {
  it('reads the merchant enrolment once, and again after five minutes so that a rotation shows', async () => {
    // Prepare
    const asked = secretsManager({ 'motcua/merchant': merchant });
    vi.stubEnv(paymentEnvironment.secretId, 'motcua/merchant');
    const start = Date.now();
    const clock = vi.spyOn(Date, 'now');

    // Act
    clock.mockReturnValue(start);
    const first = await merchantConfig();
    const again = await merchantConfig();
    clock.mockReturnValue(start + 301_000);
    await merchantConfig();
    clock.mockRestore();

    // Assess
    expect(first).toEqual(merchant);
    expect(again).toEqual(merchant);
    expect(asked).toEqual(['motcua/merchant', 'motcua/merchant']);
  });

  it('refuses a merchant secret that does not fit, naming the field and not the value', async () => {
    secretsManager({ 'motcua/merchant-2': { ...merchant, secret: 'short-secret' } });
    vi.stubEnv(paymentEnvironment.secretId, 'motcua/merchant-2');
    const failure = (await merchantConfig().catch((err: unknown) => err)) as Error;
    expect(failure.message).toMatch(/secret: at least 16 characters/);
    expect(failure.message).not.toContain('short-secret');
  });

  it("reads the national portal's credentials by DVCQG_SECRET_ID, and none when the secret is missing", async () => {
    // Prepare
    const asked = secretsManager({ 'motcua/dvcqg': portal });
    vi.stubEnv(environment.nationalSecretId, 'motcua/dvcqg');

    // Act
    const config = await nationalConfig(1_000_000_000);

    // Assess
    expect(config).toMatchObject(portal);
    expect(asked).toEqual(['motcua/dvcqg']);
    vi.stubEnv(environment.nationalSecretId, 'motcua/none');
    await expect(nationalConfig(2_000_000_000)).rejects.toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
  });
});
