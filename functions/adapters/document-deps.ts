import { environment } from '../declaration.js';
import { dynamo } from './dynamo-client.js';
import { requiredEnv } from './env.js';
import { DocumentRepository } from './document-repository.js';
import { DocumentUrls } from './document-urls.js';
import { dossierDeps } from './deps.js';

let documents: DocumentRepository | undefined;
let store: DocumentUrls | undefined;

/** The dossier deps plus the document items and the bucket's presigned URLs, created once per container. */
export function documentDeps() {
  documents ??= new DocumentRepository(dynamo(), requiredEnv(environment.tableName));
  store ??= new DocumentUrls(requiredEnv(environment.bucketName));
  return { ...dossierDeps(), documents, store, wallClock: new Date() };
}
