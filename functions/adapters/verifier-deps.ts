import { environment } from '../declaration.js';
import { requiredEnv } from './env.js';
import { s3Client } from './s3-client.js';
import { DocumentStore } from './document-store.js';
import { documentDeps } from './document-deps.js';
import type { VerifierDeps } from '../app/documents.js';

let store: DocumentStore | undefined;

/** The verifier's deps: the document items, and the bucket through the S3 client (it reads and moves objects). */
export function verifierDeps(): VerifierDeps {
  store ??= new DocumentStore(s3Client(), requiredEnv(environment.bucketName));
  return { ...documentDeps(), store };
}
