import { S3Client } from '@aws-sdk/client-s3';
import { observed } from './request-observer.js';

let s3: S3Client | undefined;

/** For tests and tools (listing, setting up objects); the functions call S3 with signed requests (s3-objects.ts). */

export function s3Client(): S3Client {
  s3 ??= observed(
    new S3Client({
      // An emulator on loopback has no virtual-hosted bucket names.
      forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3),
      // The SDK's default CRC32 checksums break presigned URLs (it signs the checksum of an empty body)
      // and make s3rver store aws-chunked framing; ask for checksums only where S3 requires them.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
    'S3',
  );
  return s3;
}
