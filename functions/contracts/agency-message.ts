import * as z from 'zod/mini';
import { meta } from '../domain/zod-setup.js';
import { applicantSchema, channelSchema, statusViewSchema } from './api.js';

/**
 * What an agency system receives on its queue. Versioned: a consumer reads `schemaVersion` (also a
 * message attribute) before anything else, and a breaking change gets a new version and a new schema
 * here, never an edit of this one. Delivery is at least once: consumers deduplicate on `eventId`.
 */
export const AGENCY_MESSAGE_SCHEMA_VERSION = 1;

export const agencyMessageV1Schema = /* @__PURE__ */ (() =>
  meta(
    z.object({
      schemaVersion: z.literal(1),
      eventId: meta(z.string(), { description: 'unique per event; the same on a redelivery' }),
      type: meta(z.string(), { description: 'e.g. dossier.submitted' }),
      occurredAt: z.iso.datetime({ offset: true }),
      province: z.string(),
      agency: z.object({ id: z.string(), code: z.string() }),
      dossier: z.object({
        code: z.string(),
        version: z.number().check(z.int()),
        service: z.object({ id: z.string(), code: z.string(), name: z.string() }),
        status: statusViewSchema,
        previousStatus: z.nullable(z.number().check(z.int())),
        channel: channelSchema,
        applicant: applicantSchema,
        fields: z.record(z.string(), z.unknown()),
        submittedAt: z.iso.datetime({ offset: true }),
        trackingUrl: z.string(),
      }),
      actor: meta(z.object({ kind: z.string(), subject: meta(z.optional(z.string()), { description: "an official's login id; never a citizen's" }), agencyId: z.optional(z.string()) }), {
        description: 'who made the step: citizen (the applicant, without identity), official (subject and agency), system',
      }),
      note: z.optional(z.string()),
    }),
    { id: 'AgencyMessageV1', description: 'The body of each message on an agency queue (JSON).' },
  ))();

export type AgencyMessageV1 = z.infer<typeof agencyMessageV1Schema>;

/** SQS message attributes set on every message, so consumers can filter without parsing the body */
export const agencyMessageAttributes = ['type', 'schemaVersion', 'dossierCode'] as const;
