/**
 * Stands in for `semver` (28 KB minified) inside function bundles. Its one importer there is the X-Ray
 * SDK's patcher of the AWS SDK v2 (aws-xray-sdk-core/dist/lib/patchers/aws_p.js), which Powertools Tracer
 * pulls in with the rest of the X-Ray SDK and which calls `gte(AWS.VERSION, '2.7.15')` when a v2 SDK is
 * handed to `captureAWS`. No function has the v2 SDK nor calls `captureAWS` (their AWS calls are signed
 * by aws-call.ts and dynamo-http.ts), so this is never reached; should it be, `gte` still answers right
 * for plain `x.y.z` versions and refuses any other form rather than guess. cls-hooked's entry, the other
 * user of semver in the X-Ray SDK's tree, is not bundled: the SDK imports `cls-hooked/context` directly.
 * Tests, tools and the local runtime run unbundled and keep the real package (lib/bundling.ts).
 */

const plain = /^v?(\d+)\.(\d+)\.(\d+)$/;

function parts(version: string): [number, number, number] {
  const m = plain.exec(String(version).trim());
  if (!m) throw new Error(`semver is not bundled: cannot compare "${version}"`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

export function gte(a: string, b: string): boolean {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! > y[i]!;
  return true;
}

export default { gte };
