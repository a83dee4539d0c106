import { environment } from '../declaration.js';
import { dynamo } from './dynamo-client.js';
import { requiredEnv } from './env.js';
import { requestClock } from './clock.js';
import { DossierRepository } from './dossier-repository.js';
import { gatewayFor, merchantConfig } from './merchant.js';
import { PaymentRepository } from './payment-repository.js';
import { currentProvince } from './province.js';

let repos: { repo: DossierRepository; payments: PaymentRepository } | undefined;

/** The payment use cases' adapters; the gateway (and its secret) is read only by the functions that need it. */
export function paymentDeps() {
  const tableName = requiredEnv(environment.tableName);
  repos ??= { repo: new DossierRepository(dynamo(), tableName), payments: new PaymentRepository(dynamo(), tableName) };
  return {
    ...repos,
    province: currentProvince(),
    ...requestClock(),
    baseUrl: process.env[environment.publicBaseUrl] ?? '',
    gateway: async () => gatewayFor(await merchantConfig()),
  };
}
