import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * Function bundles validate with zod/mini: the same engine and messages as classic zod, a third of its
 * weight in a bundle, because each schema is built from functions a bundler can leave out when unused
 * where classic zod's methods bring the whole API along.
 *
 * zod/mini loads no locale: without this every refusal would read "Invalid input". English is what
 * classic zod says, what tests and API clients see, and what messages-vi.ts translates. Every module
 * that builds schemas imports this one (test/unit/zod-setup.test.ts checks it), so no parse can run first.
 */
z.config(en());

/**
 * Classic zod's `.meta(data)`: a copy of the schema with `data` (an OpenAPI component id, a description)
 * in the global registry. A copy, so that describing a shared schema where it is used leaves its other
 * uses alone.
 */
export function meta<T extends z.ZodMiniType>(schema: T, data: z.core.GlobalMeta): T {
  const copy = schema.clone();
  z.globalRegistry.add(copy, data);
  return copy;
}
