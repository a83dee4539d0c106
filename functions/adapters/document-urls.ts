import { SignatureV4 } from '@smithy/signature-v4';
import { environmentCredentials, Sha256 } from './sigv4.js';

/**
 * Presigned PUT and GET URLs of the document bucket, signed by the SDK's own SigV4 signer exactly as
 * `@aws-sdk/s3-request-presigner` signs them (the same URL: UNSIGNED-PAYLOAD, the X-Amz-* headers moved
 * to the query, Content-Length signed, the operation's `x-id`), without the S3 client: the routes that hand out URLs never call S3, and the
 * client is ~170 KB of their bundles and most of their cold start. `test/unit/document-urls.test.ts`
 * checks the signatures against the SDK's presigner; the verifier, which reads and moves objects, keeps
 * the S3 client (document-store.ts).
 *
 * No checksum is signed: the SDK's default would sign a CRC32 of an empty body into every PUT URL,
 * which S3 then refuses against the real upload.
 */
export interface DocumentUrlsOptions {
  readonly region?: string;
  /** an emulator's endpoint (AWS_ENDPOINT_URL_S3): path-style, as it has no virtual-hosted bucket names */
  readonly endpoint?: string;
  /** tests pin the signing time to compare with the SDK */
  readonly signingDate?: () => Date;
}

/** S3's own encoding of a key's segments (RFC 3986, with the reserved characters the SDK also escapes). */
const encodeSegment = (segment: string): string => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const encodeKey = (key: string): string => key.split('/').map(encodeSegment).join('/');

export class DocumentUrls {
  private readonly signer: SignatureV4;
  private readonly base: URL;
  private readonly pathStyle: boolean;

  constructor(
    private readonly bucket: string,
    private readonly options: DocumentUrlsOptions = {},
  ) {
    const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) throw new Error('AWS_REGION is not set');
    const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL_S3;
    this.pathStyle = Boolean(endpoint);
    // the SDK's virtual-hosted address for a DNS-compatible bucket name, as the stack creates
    this.base = new URL(endpoint ?? `https://${bucket}.s3.${region}.amazonaws.com`);
    this.signer = new SignatureV4({ service: 's3', region, credentials: environmentCredentials, sha256: Sha256, uriEscapePath: false, applyChecksum: false });
  }

  /**
   * A PUT URL for exactly one key and exactly `contentLength` bytes (the declared size): Content-Length is
   * a signed header, so S3 refuses a larger (or smaller) body. Clients set it themselves (`curl -T`, fetch).
   */
  presignPut(key: string, expiresIn: number, contentLength: number): Promise<string> {
    return this.presign('PUT', key, expiresIn, { 'x-id': 'PutObject' }, { 'content-length': String(contentLength) });
  }

  /** A GET URL that downloads under the document's own name and verified type, whatever the object says. */
  presignGet(key: string, expiresIn: number, file: { fileName: string; contentType: string; versionId?: string }): Promise<string> {
    const ascii = file.fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
    return this.presign('GET', key, expiresIn, {
      'x-id': 'GetObject',
      'response-content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      'response-content-type': file.contentType,
      // the version that was verified, so a later overwrite of the key cannot be what is downloaded
      ...(file.versionId ? { versionId: file.versionId } : {}),
    });
  }

  private async presign(method: 'GET' | 'PUT', key: string, expiresIn: number, query: Record<string, string>, headers: Record<string, string> = {}): Promise<string> {
    const prefix = this.base.pathname.replace(/\/$/, '');
    const path = `${prefix}${this.pathStyle ? `/${encodeSegment(this.bucket)}` : ''}/${encodeKey(key)}`;
    const signed = await this.signer.presign(
      {
        method,
        protocol: this.base.protocol,
        hostname: this.base.hostname,
        ...(this.base.port ? { port: Number(this.base.port) } : {}),
        path,
        query,
        // the presigner's own spelling of the header, which becomes a signed query parameter
        headers: { ...headers, host: this.base.host, 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' },
      },
      { expiresIn, unsignableHeaders: new Set(['content-type']), ...(this.options.signingDate ? { signingDate: this.options.signingDate() } : {}) },
    );
    const search = Object.entries(signed.query ?? {})
      .flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${encodeSegment(name)}=${encodeSegment(String(v ?? ''))}`))
      .join('&');
    return `${this.base.protocol}//${this.base.host}${path}?${search}`;
  }
}
