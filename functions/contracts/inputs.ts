import {
  agencyIdParams,
  actionSchema,
  deskSubmissionSchema,
  dossierCodeParams,
  inboxQuerySchema,
  ratingSchema,
  serviceIdParams,
  serviceQuerySchema,
  submissionSchema,
  supplementSchema,
} from './api.js';
import { documentParams, documentRequestSchema, resultParams, resultRequestSchema } from './documents.js';
import { gatewayParams, receiptParams, returnQuerySchema } from './payments.js';
import { statsAgenciesQuerySchema, statsQuerySchema } from './stats.js';
import { myDossiersQuerySchema, trackingParams, trackingQuerySchema } from './tracking.js';

/**
 * What each route reads from the request, one export per route: a handler imports its own
 * (`import * as input from '../contracts/inputs.js'`, then `input.ListServices`) and its bundle keeps that
 * route's schemas only. What the routes answer is documentation (./routes.ts), read by the OpenAPI document.
 *
 * For that, every top-level schema of the contract files is built inside `/* @__PURE__ *\/ (() => …)()`:
 * esbuild cannot know that a zod call has no side effects, and without the mark it would keep every schema
 * of every file a handler imports (test/infra/bundles.test.ts checks that it does not).
 */

export const ListServices = { id: 'ListServices', query: serviceQuerySchema } as const;
export const GetService = { id: 'GetService', params: serviceIdParams } as const;
export const ListAgencies = { id: 'ListAgencies' } as const;
export const CreateDossier = { id: 'CreateDossier', body: submissionSchema } as const;
export const RegisterDeskDossier = { id: 'RegisterDeskDossier', params: agencyIdParams, body: deskSubmissionSchema } as const;
export const ListMyDossiers = { id: 'ListMyDossiers', query: myDossiersQuerySchema } as const;
export const TrackDossier = { id: 'TrackDossier', params: trackingParams, query: trackingQuerySchema } as const;
export const GetDossier = { id: 'GetDossier', params: dossierCodeParams } as const;
export const ListAgencyDossiers = { id: 'ListAgencyDossiers', params: agencyIdParams, query: inboxQuerySchema } as const;
export const ActOnDossier = { id: 'ActOnDossier', params: dossierCodeParams, body: actionSchema } as const;
export const SupplementDossier = { id: 'SupplementDossier', params: dossierCodeParams, body: supplementSchema } as const;
export const RateDossier = { id: 'RateDossier', params: dossierCodeParams, body: ratingSchema } as const;
export const UploadDocument = { id: 'UploadDocument', params: dossierCodeParams, body: documentRequestSchema } as const;
export const CancelDocument = { id: 'CancelDocument', params: documentParams } as const;
export const SubmitDossier = { id: 'SubmitDossier', params: dossierCodeParams } as const;
export const UploadResult = { id: 'UploadResult', params: dossierCodeParams, body: resultRequestSchema } as const;
export const GetResult = { id: 'GetResult', params: resultParams } as const;
export const OpenApi = { id: 'OpenApi' } as const;
export const GetStats = { id: 'GetStats', query: statsQuerySchema } as const;
export const GetDocument = { id: 'GetDocument', params: resultParams } as const;
export const RankAgencies = { id: 'RankAgencies', query: statsAgenciesQuerySchema } as const;
export const CreatePayment = { id: 'CreatePayment', params: dossierCodeParams } as const;
export const PaymentNotification = { id: 'PaymentNotification', params: gatewayParams } as const;
export const PaymentNotificationQuery = { id: 'PaymentNotificationQuery', params: gatewayParams } as const;
export const PaymentReturn = { id: 'PaymentReturn', params: gatewayParams, query: returnQuerySchema } as const;
export const GetPaymentReceipt = { id: 'GetPaymentReceipt', params: receiptParams } as const;
/** the body (NationalDossier) is read by the handler only after the portal's signature checks out */
export const ReceiveNationalDossier = { id: 'ReceiveNationalDossier' } as const;
