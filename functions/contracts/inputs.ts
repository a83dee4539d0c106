import * as declared from '../declaration.js';
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
import { gatewayParams, receiptParams, receiptQuerySchema, returnQuerySchema } from './payments.js';
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

export const ListServices = { route: declared.ListServices, query: serviceQuerySchema } as const;
export const GetService = { route: declared.GetService, params: serviceIdParams } as const;
export const ListAgencies = { route: declared.ListAgencies } as const;
export const CreateDossier = { route: declared.CreateDossier, body: submissionSchema } as const;
export const RegisterDeskDossier = { route: declared.RegisterDeskDossier, params: agencyIdParams, body: deskSubmissionSchema } as const;
export const ListMyDossiers = { route: declared.ListMyDossiers, query: myDossiersQuerySchema } as const;
export const TrackDossier = { route: declared.TrackDossier, params: trackingParams, query: trackingQuerySchema } as const;
export const GetDossier = { route: declared.GetDossier, params: dossierCodeParams } as const;
export const ListAgencyDossiers = { route: declared.ListAgencyDossiers, params: agencyIdParams, query: inboxQuerySchema } as const;
export const ActOnDossier = { route: declared.ActOnDossier, params: dossierCodeParams, body: actionSchema } as const;
export const SupplementDossier = { route: declared.SupplementDossier, params: dossierCodeParams, body: supplementSchema } as const;
export const RateDossier = { route: declared.RateDossier, params: dossierCodeParams, body: ratingSchema } as const;
export const UploadDocument = { route: declared.UploadDocument, params: dossierCodeParams, body: documentRequestSchema } as const;
export const CancelDocument = { route: declared.CancelDocument, params: documentParams } as const;
export const SubmitDossier = { route: declared.SubmitDossier, params: dossierCodeParams } as const;
export const UploadResult = { route: declared.UploadResult, params: dossierCodeParams, body: resultRequestSchema } as const;
export const GetResult = { route: declared.GetResult, params: resultParams } as const;
export const OpenApi = { route: declared.OpenApi } as const;
export const GetStats = { route: declared.GetStats, query: statsQuerySchema } as const;
export const GetDocument = { route: declared.GetDocument, params: resultParams } as const;
export const RankAgencies = { route: declared.RankAgencies, query: statsAgenciesQuerySchema } as const;
export const CreatePayment = { route: declared.CreatePayment, params: dossierCodeParams } as const;
export const PaymentNotification = { route: declared.PaymentNotification, params: gatewayParams } as const;
export const PaymentNotificationQuery = { route: declared.PaymentNotificationQuery, params: gatewayParams } as const;
export const PaymentReturn = { route: declared.PaymentReturn, params: gatewayParams, query: returnQuerySchema } as const;
export const GetPaymentReceipt = { route: declared.GetPaymentReceipt, params: receiptParams, query: receiptQuerySchema } as const;
/** the body (NationalDossier) is read by the handler only after the portal's signature checks out */
export const ReceiveNationalDossier = { route: declared.ReceiveNationalDossier } as const;
