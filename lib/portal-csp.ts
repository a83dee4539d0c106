import { createHash } from 'node:crypto';
import { RETURN_PAGE_STYLE } from '../functions/http/payment-page.js';

/**
 * The portal's Content-Security-Policy, one text for CloudFront's response headers policy (lib/web-portal.ts)
 * and for the local runtime (local/http.ts), so that what runs locally is held to the cloud's rules: no
 * inline script or style, but the one `<style>` element of the payment return page, which the API serves
 * on the portal's origin, allowed by its hash. `connect` names the other origins the pages call (the
 * document bucket for presigned uploads and downloads, the sign-in's token endpoint).
 */
export function portalCsp(connect: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self' 'sha256-${createHash('sha256').update(RETURN_PAGE_STYLE).digest('base64')}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${["'self'", ...connect].join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}
