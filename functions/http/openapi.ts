import * as z from 'zod/mini';
import '../domain/zod-setup.js';
import { routes, type RouteDeclaration } from '../declaration.js';
import { routeDocumentation, routeInputs, type RouteContract } from '../contracts/routes.js';
import { errorSchema } from '../contracts/api.js';
import { agencyMessageV1Schema } from '../contracts/agency-message.js';
import { nationalDossierSchema } from '../contracts/national.js';

type JsonSchema = Record<string, unknown>;

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

/**
 * The OpenAPI 3.1 document, built from the route declaration and the zod contracts the handlers validate
 * with. OpenAPI 3.1 schemas are JSON Schema 2020-12, which zod emits natively.
 */
export function buildOpenApi(info: { title: string; version: string; serverUrl?: string }): JsonSchema {
  // Components no route answers directly. Schemas are bundled only where used (functions/contracts/inputs.ts),
  // so these are named here: an unused one would be left out of this function's bundle, and of the document.
  for (const schema of [errorSchema, agencyMessageV1Schema, nationalDossierSchema]) {
    if (!z.globalRegistry.has(schema)) throw new Error('a documented component lost its id');
  }
  const { schemas } = z.toJSONSchema(z.globalRegistry, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  });
  for (const schema of Object.values(schemas)) delete (schema as JsonSchema).$schema;

  const schemaFor = (schema: z.core.$ZodType): JsonSchema => {
    const id = z.globalRegistry.get(schema)?.id;
    if (typeof id === 'string') return ref(id);
    const inline = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as JsonSchema;
    delete inline.$schema;
    return inline;
  };

  const parametersOf = (schema: z.core.$ZodType | undefined, location: 'path' | 'query'): JsonSchema[] => {
    if (!schema) return [];
    const json = schemaFor(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
    return Object.entries(json.properties ?? {}).map(([name, s]) => ({
      name,
      in: location,
      required: location === 'path' || (json.required ?? []).includes(name),
      schema: s,
      ...(typeof s.description === 'string' ? { description: s.description } : {}),
    }));
  };

  const operation = (route: RouteDeclaration, contract: RouteContract): JsonSchema => {
    const responses: Record<string, JsonSchema> = {};
    for (const [status, r] of Object.entries(contract.responses)) {
      responses[status] = { description: r.description, ...(r.schema ? { content: { 'application/json': { schema: schemaFor(r.schema) } } } : {}) };
    }
    const errorContent = { content: { 'application/json': { schema: ref('Error') } } };
    const needsInput = contract.body || contract.params || contract.query;
    if (needsInput) responses['400'] ??= { description: 'invalid input; details name each field', ...errorContent };
    if (route.access !== 'public') {
      responses['401'] = {
        description: 'missing or invalid token; the JWT authorizer answers with its own body',
        content: { 'application/json': { schema: { type: 'object', properties: { message: { const: 'Unauthorized' } } } } },
      };
      responses['403'] = { description: `only for: ${route.access.join(', ')}`, ...errorContent };
    }
    for (const [status, r] of Object.entries(responses)) if (Number(status) >= 400 && !r.content) Object.assign(r, errorContent);
    responses['500'] = { description: 'internal error', ...errorContent };
    return {
      operationId: route.id,
      summary: route.summary,
      ...(route.access === 'public' ? { security: [] } : { security: [{ bearer: [] }], 'x-motcua-roles': route.access }),
      parameters: [
        ...parametersOf(contract.params, 'path'),
        ...parametersOf(contract.query, 'query'),
        ...(contract.headers ?? []).map((h) => ({ name: h.name, in: 'header', required: h.required, description: h.description, schema: { type: 'string' } })),
      ],
      ...(contract.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaFor(contract.body) } } } } : {}),
      responses,
    };
  };

  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const contract: RouteContract = { ...routeInputs[route.id], ...routeDocumentation[route.id] };
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route, contract);
  }

  return {
    openapi: '3.1.0',
    info: {
      title: info.title,
      version: info.version,
      description:
        'Online public services and the one-stop back office of a province. Agency queues carry messages of the AgencyMessageV1 schema (see components).',
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    paths,
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
