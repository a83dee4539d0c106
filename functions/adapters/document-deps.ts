import { environment } from '../declaration.js';
import { dynamo } from './dynamo-client.js';
import { requiredEnv } from './env.js';
import { s3Client } from './s3-client.js';
import { DocumentRepository } from './document-repository.js';
import { DocumentStore } from './document-store.js';
import { dossierDeps } from './deps.js';

let documents: DocumentRepository | undefined;
let store: DocumentStore | undefined;

/** The dossier deps plus the document items and the bucket, created once per container. */
export function documentDeps() {
  documents ??= new DocumentRepository(dynamo(), requiredEnv(environment.tableName));
  store ??= new DocumentStore(s3Client(), requiredEnv(environment.bucketName));
  return { ...dossierDeps(), documents, store };
}
