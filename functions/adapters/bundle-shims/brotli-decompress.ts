import { brotliDecompressSync } from 'node:zlib';

/**
 * Stands in, inside function bundles only, for the `brotli` package's pure-JavaScript decoder (475 KB),
 * which fontkit loads for WOFF2 fonts; Node's own zlib decodes the same format. lib/bundling.ts aliases it.
 */
export default function decompress(buffer: Uint8Array, outSize?: number): Uint8Array {
  const out = brotliDecompressSync(buffer);
  return outSize === undefined ? out : out.subarray(0, outSize);
}
