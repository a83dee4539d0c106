import { awsCaller, SECRETS_MANAGER, type AwsCall, type AwsCallerOptions } from './aws-call.js';

/**
 * Secrets Manager GetSecretValue (JSON 1.1, `secretsmanager.GetSecretValue`), signed and sent by
 * aws-call.ts: the functions read three secrets (stack, merchant, national portal) and nothing else.
 */

export interface SecretValue {
  readonly SecretString?: string;
  readonly SecretBinary?: Uint8Array;
}

export interface SecretReader {
  getSecretValue(secretId: string): Promise<SecretValue>;
}

export function signedSecrets(options: AwsCallerOptions = {}): SecretReader {
  let call: AwsCall | undefined;
  return {
    async getSecretValue(secretId) {
      // resolved at the first read, so a function that never reads a secret needs no region
      call ??= awsCaller(SECRETS_MANAGER, options);
      const answer = await call({
        operation: 'GetSecretValue',
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
        body: JSON.stringify({ SecretId: secretId }),
      });
      const out = JSON.parse(answer.text) as { SecretString?: unknown; SecretBinary?: unknown };
      return {
        ...(typeof out.SecretString === 'string' ? { SecretString: out.SecretString } : {}),
        // JSON carries a blob as base64
        ...(typeof out.SecretBinary === 'string' ? { SecretBinary: new Uint8Array(Buffer.from(out.SecretBinary, 'base64')) } : {}),
      };
    },
  };
}

let reader: SecretReader | undefined;

/** One per container, as the SDK client was. */
export function secretsClient(): SecretReader {
  reader ??= signedSecrets();
  return reader;
}

/** Tests only: a fresh container's reader (its endpoint and region read again from the environment). */
export function forgetSecretsClient(): void {
  reader = undefined;
}
