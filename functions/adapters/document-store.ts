import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { QUARANTINE_PREFIX, SNIFF_BYTES, type Inspection } from '../domain/documents.js';
import type { FileStore } from '../app/ports.js';

/**
 * The document bucket as the verifier uses it: sizes, a streamed read, quarantine. The routes' presigned
 * URLs are signed without the S3 client (document-urls.ts).
 */
export class DocumentStore implements FileStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  /** Size from the object's metadata, so an oversized object is judged without reading it. */
  async size(key: string, versionId?: string): Promise<number | undefined> {
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
      return head.ContentLength ?? 0;
    } catch (err) {
      if ((err as { name?: string }).name === 'NotFound' || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
      throw err;
    }
  }

  /** Streams the object once: its size, its first bytes and its SHA-256, without holding it in memory. */
  async inspect(key: string, versionId?: string): Promise<Inspection> {
    const answer = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
    const hash = createHash('sha256');
    const head: number[] = [];
    let size = 0;
    // In Node the SDK's body is an IncomingMessage, an async-iterable Readable.
    for await (const chunk of answer.Body as Readable) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      size += bytes.length;
      for (let i = 0; head.length < SNIFF_BYTES && i < bytes.length; i++) head.push(bytes[i]!);
    }
    return { size, head: Uint8Array.from(head), sha256: hash.digest('hex') };
  }

  /** Moves a rejected object out of the documents' prefix; a lifecycle rule expires the quarantine. */
  async quarantine(key: string, versionId?: string): Promise<string> {
    const target = `${QUARANTINE_PREFIX}${key}`;
    await this.s3.send(
      new CopyObjectCommand({
        Bucket: this.bucket,
        Key: target,
        CopySource: `${this.bucket}/${key.split('/').map(encodeURIComponent).join('/')}${versionId ? `?versionId=${encodeURIComponent(versionId)}` : ''}`,
      }),
    );
    // With a version id the rejected bytes are removed for good, not kept as a noncurrent version.
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
    return target;
  }
}
