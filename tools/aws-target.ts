import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * Where the command-line tools point: `npm start` by default (AWS_ENDPOINT_URL_SQS if set, else
 * 127.0.0.1:$MOTCUA_SQS_PORT, default 9324, with the local stand-ins' fixed credentials), or the deployed
 * stack with `--aws` (the usual AWS credentials, profile and region).
 */
export interface Target {
  readonly aws: boolean;
  readonly provinceId: string;
  readonly sqsEndpoint?: string;
  sqs(): SQSClient;
}

export function targetFrom(args: string[]): { target: Target; rest: string[] } {
  const aws = args.includes('--aws');
  const rest = args.filter((a) => a !== '--aws');
  const provinceAt = rest.indexOf('--province');
  const provinceId = provinceAt >= 0 ? rest.splice(provinceAt, 2)[1]! : (process.env.MOTCUA_PROVINCE ?? 'lang-son');
  const sqsEndpoint = aws ? undefined : (process.env.AWS_ENDPOINT_URL_SQS ?? `http://127.0.0.1:${process.env.MOTCUA_SQS_PORT ?? '9324'}`);
  const target: Target = {
    aws,
    provinceId,
    ...(sqsEndpoint ? { sqsEndpoint } : {}),
    sqs: () =>
      aws
        ? new SQSClient({})
        : new SQSClient({ endpoint: sqsEndpoint, region: process.env.AWS_REGION ?? 'ap-southeast-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } }),
  };
  return { target, rest };
}
