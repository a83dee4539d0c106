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

/**
 * Packages replaced inside bundles (repository-relative paths). Each shim says why it is safe; tests, tools
 * and the local runtime run the sources unbundled and keep the originals.
 */
export const bundleAliases: Readonly<Record<string, string>> = {
  semver: './functions/adapters/bundle-shims/semver.ts',
};

/** The aliases as NodejsFunction's esbuildArgs take them. */
export const aliasArgs = (): { '--alias': string[] } => ({
  '--alias': Object.entries(bundleAliases).map(([from, to]) => `${from}=${to}`),
});
