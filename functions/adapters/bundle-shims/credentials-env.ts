/** The SDK's credential identity, restated here so the shim depends on no transitive package. */
interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * Stands in, inside function bundles only, for `@aws-sdk/credential-provider-node` (lib/bundling.ts aliases
 * it). A Lambda function's credentials are always its role's, in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
 * and AWS_SESSION_TOKEN; the full chain (SSO, INI files, processes, web identity, IMDS and the STS and SSO
 * clients behind them) is about 90 KB of every bundle that no function uses. Tests, tools and the local
 * runtime are not bundled and keep the SDK's own chain.
 */
export function defaultProvider(): () => Promise<Credentials> {
  return async () => {
    const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) {
      throw new Error('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: a function reads its role credentials from the environment');
    }
    const sessionToken = process.env.AWS_SESSION_TOKEN;
    return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
  };
}
