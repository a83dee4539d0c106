import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../functions/http/openapi.js';
import { routes } from '../../functions/declaration.js';

type Doc = { openapi: string; paths: Record<string, Record<string, { security: unknown[]; responses: Record<string, unknown>; requestBody?: unknown; parameters: { name: string; in: string }[] }>>; components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> } };

describe('the OpenAPI document', () => {
  const doc = buildOpenApi({ title: 'motcua', version: '1' }) as unknown as Doc;

  it('is OpenAPI 3.1 and lists every declared route with its method', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const route of routes) expect(doc.paths[route.path]?.[route.method.toLowerCase()], `${route.method} ${route.path}`).toBeDefined();
  });

  it('marks public routes without security and protected ones with bearer, 401 and 403', () => {
    for (const route of routes) {
      const op = doc.paths[route.path]![route.method.toLowerCase()]!;
      if (route.access === 'public') expect(op.security).toEqual([]);
      else expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403']));
    }
  });

  it('describes the submission body from the same zod schema the handler validates with', () => {
    expect(doc.paths['/dossiers']!.post!.requestBody).toEqual({ required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Submission' } } } });
    const submission = doc.components.schemas.Submission!;
    expect(submission.required).toEqual(expect.arrayContaining(['serviceId', 'applicant']));
    expect(Object.keys(submission.properties ?? {})).toEqual(expect.arrayContaining(['serviceId', 'agencyId', 'applicant', 'channel', 'fields']));
    expect(doc.paths['/dossiers']!.post!.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }));
  });

  it('documents the error shape and the agency queue message', () => {
    expect(doc.components.schemas.Error?.required).toEqual(['error']);
    expect(doc.components.schemas.AgencyMessageV1?.properties).toHaveProperty('schemaVersion');
  });
});
