/**
 * How every function is bundled, in one place: the CDK stack hands these settings to NodejsFunction and
 * `npm run bench` builds the same bundles with esbuild directly, so the sizes it reports are the shipped ones.
 */

/**
 * esbuild's ESM output has no `require`, yet some CommonJS dependencies call it for Node built-ins;
 * this recreates it at the top of the bundle.
 */
export const esmRequireBanner = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** The esbuild settings shared by the stack and the bench (NodejsFunction's names in comments). */
export const bundleSettings = {
  format: 'esm',
  target: 'node22',
  platform: 'node',
  mainFields: ['module', 'main'],
  banner: esmRequireBanner,
  minify: true,
} as const;
