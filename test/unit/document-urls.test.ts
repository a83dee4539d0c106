import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DocumentUrls } from '../../functions/adapters/document-urls.js';

/**
 * The routes' presigned URLs, signed without the S3 client, against the SDK's own presigner configured as
 * the stack's client was (no checksums): for the same request, time and credentials, the same URL.
 */
const signingDate = new Date('2026-12-02T03:04:05Z');
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session/token+=' };
const key = 'dossiers/000.00.14.H37-261202-0001/to-khai/0f7c2a7e-6f3b-4d7e-9c55-2b0c1c7d9a10';

function sdk(endpoint?: string) {
  return new S3Client({
    region: 'ap-southeast-1',
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  });
}

const params = (url: string) => {
  const u = new URL(url);
  return { origin: u.origin, path: u.pathname, query: Object.fromEntries([...u.searchParams].sort(([a], [b]) => a.localeCompare(b))) };
};

describe('document URLs without the S3 client', () => {
  afterEach(() => vi.unstubAllEnvs());
  const stubCredentials = () => {
    // the run's emulator endpoints would otherwise apply to both signers
    vi.stubEnv('AWS_ENDPOINT_URL_S3', undefined);
    vi.stubEnv('AWS_ENDPOINT_URL', undefined);
    vi.stubEnv('AWS_ACCESS_KEY_ID', credentials.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', credentials.secretAccessKey);
    vi.stubEnv('AWS_SESSION_TOKEN', credentials.sessionToken);
  };

  it.each([
    ['the cloud (virtual-hosted)', undefined],
    ['an emulator (path-style)', 'http://127.0.0.1:4569'],
  ])('sign a PUT of the declared length as the SDK does, in %s', async (_, endpoint) => {
    // Prepare
    stubCredentials();
    const urls = new DocumentUrls('motcua-lang-son-documents', { region: 'ap-southeast-1', ...(endpoint ? { endpoint } : {}), signingDate: () => signingDate });
    // Act
    const ours = await urls.presignPut(key, 600, 1234);
    const theirs = await getSignedUrl(sdk(endpoint), new PutObjectCommand({ Bucket: 'motcua-lang-son-documents', Key: key, ContentLength: 1234 }), { expiresIn: 600, signingDate });
    // Assess
    expect(params(ours)).toEqual(params(theirs));
    expect(new URL(ours).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host');
    expect([...new URL(ours).searchParams.keys()].some((k) => k.toLowerCase().startsWith('x-amz-checksum'))).toBe(false);
  });

  it('sign another length to another signature, so the cloud refuses any other body', async () => {
    stubCredentials();
    const urls = new DocumentUrls('b', { region: 'ap-southeast-1', signingDate: () => signingDate });
    const small = new URL(await urls.presignPut(key, 600, 1234));
    const large = new URL(await urls.presignPut(key, 600, 5_000_000_000));
    expect(small.searchParams.get('X-Amz-Signature')).not.toBe(large.searchParams.get('X-Amz-Signature'));
  });

  it('sign a GET of one version under its own name and type as the SDK does', async () => {
    // Prepare: a Vietnamese file name, quotes and reserved characters in the disposition
    stubCredentials();
    const urls = new DocumentUrls('motcua-lang-son-documents', { region: 'ap-southeast-1', signingDate: () => signingDate });
    const file = { fileName: "Tờ khai (bản gốc) \"đã ký\"!.pdf", contentType: 'application/pdf', versionId: 'v1.2+3' };
    // Act
    const ours = await urls.presignGet(key, 300, file);
    const theirs = await getSignedUrl(
      sdk(),
      new GetObjectCommand({
        Bucket: 'motcua-lang-son-documents',
        Key: key,
        VersionId: file.versionId,
        ResponseContentType: file.contentType,
        ResponseContentDisposition: `attachment; filename="T_ khai (b_n g_c) ___ k__!.pdf"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      }),
      { expiresIn: 300, signingDate },
    );
    // Assess
    expect(params(ours)).toEqual(params(theirs));
  });
});
