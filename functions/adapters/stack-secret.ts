import { hkdf } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { environment } from '../declaration.js';
import { forgetSecretsClient, secretsClient } from './secrets-client.js';

/**
 * One secret per stack, and a separate 32-byte key derived from it for each purpose (cursor signing,
 * PIN hashing, ...), so that no two uses share a key and a new purpose needs no new secret.
 *
 * Where the secret comes from:
 * - cloud: a Secrets Manager secret the stack creates (generated value, retained), named by
 *   `STACK_SECRET_ARN`; only functions whose declaration grants `secret: 'read'` get the variable and
 *   the permission;
 * - locally: a file of 32 random bytes in the data folder (created at first start, kept across restarts),
 *   named by `STACK_SECRET_FILE`.
 *
 * Both are read once per container; keys are derived once per purpose.
 */

export const STACK_KEY_BYTES = 32;
/** Fixed salt: the secret is already uniformly random; the salt only separates this scheme from others. */
const HKDF_SALT = 'motcua/stack-secret/v1';
/** A local secret shorter than this is a broken file, not a secret. */
const MIN_SECRET_BYTES = 32;

let secret: Promise<Buffer> | undefined;
const keys = new Map<string, Promise<Buffer>>();

async function readSecret(): Promise<Buffer> {
  const arn = process.env[environment.stackSecretArn];
  const file = process.env[environment.stackSecretFile];
  if (arn) {
    const answer = await secretsClient().getSecretValue(arn);
    const value = answer.SecretBinary ? Buffer.from(answer.SecretBinary) : Buffer.from(answer.SecretString ?? '', 'utf8');
    if (value.length < MIN_SECRET_BYTES) throw new Error(`the stack secret ${arn} holds ${value.length} bytes; at least ${MIN_SECRET_BYTES} are needed`);
    return value;
  }
  if (file) {
    const value = await readFile(file);
    if (value.length < MIN_SECRET_BYTES) throw new Error(`the stack secret file ${file} holds ${value.length} bytes; at least ${MIN_SECRET_BYTES} are needed`);
    return value;
  }
  throw new Error(`neither ${environment.stackSecretArn} nor ${environment.stackSecretFile} is set: this function was not granted the stack secret`);
}

function derive(ikm: Buffer, purpose: string): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    hkdf('sha256', ikm, HKDF_SALT, `motcua:${purpose}`, STACK_KEY_BYTES, (err, key) => (err ? reject(err) : resolve(Buffer.from(key)))),
  );
}

/** The 32-byte key of one purpose (HKDF-SHA256 of the stack secret, with the purpose as info). */
export function stackKey(purpose: string): Promise<Buffer> {
  if (!/^[a-z][a-z0-9-]{0,63}$/.test(purpose)) return Promise.reject(new Error(`stack key purpose "${purpose}": lower-case words and dashes`));
  let key = keys.get(purpose);
  if (!key) {
    if (!secret) {
      secret = readSecret();
      // a failed read (throttled, not yet replicated) is retried by the next request, not cached
      secret.catch(() => (secret = undefined));
    }
    key = secret.then((s) => derive(s, purpose));
    key.catch(() => keys.delete(purpose));
    keys.set(purpose, key);
  }
  return key;
}

/** Tests only: forget what this container read, as a fresh container would. */
export function forgetStackSecret(): void {
  secret = undefined;
  keys.clear();
  forgetSecretsClient();
}
