import { awsCaller, S3, uriEncode, type AwsCall, type AwsCallerOptions } from './aws-call.js';

/**
 * The four S3 object calls of the verifier (HeadObject, GetObject, CopyObject, DeleteObject), REST over
 * aws-call.ts instead of the SDK's S3 client (~100 KB of its own, on top of the shared SDK core).
 * Addressing is the SDK's: path-style on an endpoint from the environment (an emulator on loopback has no
 * virtual-hosted bucket names: the S3 client was made with forcePathStyle there), virtual-hosted on AWS
 * for a bucket whose name is a plain DNS label, path-style otherwise. No checksum is added: none of these
 * calls requires one, and the clients were configured with WHEN_REQUIRED.
 */

export interface S3Objects {
  /** The object's size, or undefined when there is no such object (or version). */
  head(key: string, versionId?: string): Promise<{ readonly contentLength: number } | undefined>;
  /** The object's bytes, streamed. */
  get(key: string, versionId?: string): Promise<AsyncIterable<Uint8Array>>;
  /** Copies an object (a version of it) within the bucket. */
  copy(sourceKey: string, targetKey: string, sourceVersionId?: string): Promise<void>;
  delete(key: string, versionId?: string): Promise<void>;
}

/** a 5 MB document read in one attempt; longer is a stalled connection, tried again */
const GET_TIMEOUT_MS = 30_000;
const dnsLabel = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** S3 answered 404: no such key (or version). A HEAD answer has no body, so its 404 is all there is to go by. */
export const isMissing = (err: unknown): boolean => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

const encodeKey = (key: string): string => key.split('/').map(uriEncode).join('/');
const version = (versionId: string | undefined): Record<string, string> => (versionId ? { versionId } : {});

export function signedS3(bucket: string, options: AwsCallerOptions = {}): S3Objects {
  const call: AwsCall & { endpoint: URL; custom: boolean } = awsCaller(S3, options);
  const virtual = !call.custom && dnsLabel.test(bucket);
  const endpoint = virtual ? new URL(`${call.endpoint.protocol}//${bucket}.${call.endpoint.host}`) : call.endpoint;
  // each call names the bucket on its X-Ray subsegment, as the X-Ray SDK does
  const resource = { bucket_name: bucket };
  const pathOf = (key: string) => (virtual ? `/${encodeKey(key)}` : `/${uriEncode(bucket)}/${encodeKey(key)}`);

  return {
    async head(key, versionId) {
      try {
        const answer = await call({ resource, operation: 'HeadObject', method: 'HEAD', endpoint, path: pathOf(key), query: version(versionId) });
        return { contentLength: Number(answer.headers.get('content-length') ?? 0) };
      } catch (err) {
        // a HEAD answer has no body: S3 says 404 only, which the SDK names NotFound
        if (isMissing(err)) return undefined;
        throw err;
      }
    },
    async get(key, versionId) {
      const answer = await call({ resource, operation: 'GetObject', method: 'GET', endpoint, path: pathOf(key), query: version(versionId), stream: true, timeoutMs: GET_TIMEOUT_MS });
      // Node's web ReadableStream is async-iterable
      return (answer.body ?? []) as AsyncIterable<Uint8Array>;
    },
    async copy(sourceKey, targetKey, sourceVersionId) {
      const source = `${uriEncode(bucket)}/${encodeKey(sourceKey)}${sourceVersionId ? `?versionId=${uriEncode(sourceVersionId)}` : ''}`;
      await call({ resource, operation: 'CopyObject', method: 'PUT', endpoint, path: pathOf(targetKey), headers: { 'x-amz-copy-source': source }, errorIn200: true });
    },
    async delete(key, versionId) {
      await call({ resource, operation: 'DeleteObject', method: 'DELETE', endpoint, path: pathOf(key), query: version(versionId) });
    },
  };
}
