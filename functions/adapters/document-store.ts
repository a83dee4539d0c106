import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { QUARANTINE_PREFIX, SNIFF_BYTES, type Inspection } from '../domain/documents.js';
import type { FileStore } from '../app/ports.js';

/**
 * The document bucket. URLs are presigned with the `s3Client()` configured for WHEN_REQUIRED checksums:
 * the SDK's default would sign a CRC32 of an empty body into every PUT URL, which S3 then refuses.
 */
export class DocumentStore implements FileStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  /**
   * A PUT URL for exactly one key and exactly `contentLength` bytes (the declared size): Content-Length is
   * a signed header, so S3 refuses a larger (or smaller) body. Clients set it themselves (`curl -T`, fetch).
   */
  presignPut(key: string, expiresIn: number, contentLength: number): Promise<string> {
    return getSignedUrl(this.s3, new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentLength: contentLength }), { expiresIn });
  }

  /** A GET URL that downloads under the document's own name and verified type, whatever the object says. */
  presignGet(key: string, expiresIn: number, file: { fileName: string; contentType: string; versionId?: string }): Promise<string> {
    const ascii = file.fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
    return getSignedUrl(
      this.s3,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        // the version that was verified, so a later overwrite of the key cannot be what is downloaded
        ...(file.versionId ? { VersionId: file.versionId } : {}),
        ResponseContentType: file.contentType,
        ResponseContentDisposition: `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      }),
      { expiresIn },
    );
  }

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
