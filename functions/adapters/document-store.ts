import { createHash } from 'node:crypto';
import { QUARANTINE_PREFIX, SNIFF_BYTES, type Inspection } from '../domain/documents.js';
import type { FileStore } from '../app/ports.js';
import { isMissing, type S3Objects } from './s3-objects.js';

/**
 * The document bucket as the verifier uses it: sizes, a streamed read, quarantine. The routes' presigned
 * URLs are signed without the S3 client (document-urls.ts), and so are these calls (s3-objects.ts).
 */
/** A 404 (no such key, or version) as `value`; any other failure thrown again. */
const absentAs =
  <T>(value: T) =>
  (err: unknown): T => {
    if (isMissing(err)) return value;
    throw err;
  };

export class DocumentStore implements FileStore {
  constructor(private readonly s3: S3Objects) {}

  /** Size from the object's metadata, so an oversized object is judged without reading it. */
  async size(key: string, versionId?: string): Promise<number | undefined> {
    return (await this.s3.head(key, versionId))?.contentLength;
  }

  /** Streams the object once: its size, its first bytes and its SHA-256, without holding it in memory. */
  async inspect(key: string, versionId?: string): Promise<Inspection | undefined> {
    const body = await this.s3.get(key, versionId).catch(absentAs(undefined));
    if (!body) return undefined;
    const hash = createHash('sha256');
    const head: number[] = [];
    let size = 0;
    for await (const bytes of body) {
      hash.update(bytes);
      size += bytes.length;
      for (let i = 0; head.length < SNIFF_BYTES && i < bytes.length; i++) head.push(bytes[i]!);
    }
    return { size, head: Uint8Array.from(head), sha256: hash.digest('hex') };
  }

  /** Moves a rejected object out of the documents' prefix; a lifecycle rule expires the quarantine. */
  async quarantine(key: string, versionId?: string): Promise<string | undefined> {
    const target = `${QUARANTINE_PREFIX}${key}`;
    // gone already: an earlier delivery of the same event moved it
    if ((await this.s3.copy(key, target, versionId).then(() => true, absentAs(false))) === false) return undefined;
    // With a version id the rejected bytes are removed for good, not kept as a noncurrent version.
    await this.s3.delete(key, versionId);
    return target;
  }
}
