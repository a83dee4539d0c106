import { environment } from '../declaration.js';
import { requiredEnv } from './env.js';
import { signedS3 } from './s3-objects.js';
import { DocumentStore } from './document-store.js';
import { documentDeps } from './document-deps.js';

let store: DocumentStore | undefined;

/** The verifier's deps: the document items, and the bucket through signed S3 calls (it reads and moves objects). */
export function verifierDeps() {
  store ??= new DocumentStore(signedS3(requiredEnv(environment.bucketName)));
  return { ...documentDeps(), store };
}
