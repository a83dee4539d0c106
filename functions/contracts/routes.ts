import type { z } from 'zod';
import {
  actionSchema,
  agencyIdParams,
  agencyListSchema,
  inboxQuerySchema,
  inboxSchema,
  ratingSchema,
  supplementSchema,
  createdDossierSchema,
  dossierCodeParams,
  dossierViewSchema,
  serviceDetailSchema,
  serviceIdParams,
  serviceListSchema,
  serviceQuerySchema,
  submissionSchema,
} from './api.js';
import type { RouteId } from '../declaration.js';

/**
 * What each declared route accepts and answers. Handlers validate with exactly these schemas and the
 * OpenAPI document is generated from them; a route without a contract fails to type-check.
 */
export interface RouteContract {
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  /** request headers the route reads, documented in OpenAPI */
  readonly headers?: readonly { name: string; description: string; required: boolean }[];
  readonly responses: Readonly<Record<number, { description: string; schema?: z.ZodType }>>;
}


export const routeContracts = {
  ListServices: {
    query: serviceQuerySchema,
    responses: { 200: { description: 'matching procedures', schema: serviceListSchema } },
  },
  GetService: {
    params: serviceIdParams,
    responses: { 200: { description: 'the procedure', schema: serviceDetailSchema }, 404: { description: 'no such procedure' } },
  },
  ListAgencies: {
    responses: { 200: { description: 'agencies of the province', schema: agencyListSchema } },
  },
  CreateDossier: {
    body: submissionSchema,
    headers: [
      {
        name: 'Idempotency-Key',
        description: 'any unique string (e.g. a UUID) per intended submission; retrying with the same key returns the same dossier',
        required: false,
      },
    ],
    responses: {
      201: { description: 'dossier created (or, for a retried Idempotency-Key, the one created before; header Idempotent-Replayed: true)', schema: createdDossierSchema },
      413: { description: 'body over 64 KiB' },
      415: { description: 'body is not application/json' },
      422: { description: 'the service does not accept online dossiers, or the Idempotency-Key was used for another request' },
    },
  },
  GetDossier: {
    params: dossierCodeParams,
    responses: { 200: { description: 'the dossier with its history', schema: dossierViewSchema }, 404: { description: 'no such dossier, or not yours' } },
  },
  ListAgencyDossiers: {
    params: agencyIdParams,
    query: inboxQuerySchema,
    responses: {
      200: { description: 'one page of the inbox, soonest appointment first; pass nextCursor to get the next', schema: inboxSchema },
      404: { description: 'no such agency, or not yours' },
    },
  },
  ActOnDossier: {
    params: dossierCodeParams,
    body: actionSchema,
    responses: {
      200: { description: 'the dossier after the step', schema: dossierViewSchema },
      404: { description: 'no such dossier, or not one you may act on' },
      409: { description: 'the step is not allowed in the current status, or the dossier changed since expectedVersion; details carry the current status and version' },
    },
  },
  SupplementDossier: {
    params: dossierCodeParams,
    body: supplementSchema,
    responses: {
      200: { description: 'the dossier, back with the agency; its appointment date moved by the time it waited', schema: dossierViewSchema },
      404: { description: 'no such dossier, or not yours' },
      409: { description: 'no supplement was requested' },
    },
  },
  RateDossier: {
    params: dossierCodeParams,
    body: ratingSchema,
    responses: {
      200: { description: 'the dossier with its rating', schema: dossierViewSchema },
      404: { description: 'no such dossier, or not yours' },
      409: { description: 'the result is not returned yet, or the dossier was already rated' },
    },
  },
  OpenApi: {
    responses: { 200: { description: 'this document' } },
  },
} as const satisfies Record<RouteId, RouteContract>;
