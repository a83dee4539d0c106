import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { STACK_KEY_BYTES } from '../functions/adapters/stack-secret.js';

/**
 * The local stand-in for the cloud's Secrets Manager secret: 32 random bytes in the data folder, made at
 * the first start and kept across restarts (signed cursors and hashed PINs stay valid). Never in the repo:
 * the data folder is git-ignored.
 */
export function ensureStackSecret(dataDir: string): string {
  const dir = join(dataDir, 'secrets');
  const file = join(dir, 'stack-secret');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    if (readFileSync(file).length >= STACK_KEY_BYTES) return file;
  } catch {
    // not there yet
  }
  // 'wx' fails if another process created it meanwhile; then that one is the secret.
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST' && readFileSync(file).length >= STACK_KEY_BYTES) return file;
    throw new Error(`the stack secret ${file} is unreadable or too short; remove it to make a new one (signed cursors and tracking PINs made with the old one stop working)`);
  }
  try {
    writeSync(fd, randomBytes(STACK_KEY_BYTES));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return file;
}
