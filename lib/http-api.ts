import { Duration, Stack } from 'aws-cdk-lib';
import { CfnStage, CorsHttpMethod, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Province } from '../provinces/schema.js';
import { logRetention, removalPolicy, type StageName } from './stage.js';

export interface Throttle {
  /** steady requests per second for the whole stage */
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/** A starting point sized for one province's portal; raise it per province once real traffic is known. */
export const defaultThrottle: Throttle = { rateLimit: 50, burstLimit: 100 };

export interface HttpApiProps {
  readonly province: Province;
  readonly stage: StageName;
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly throttle?: Throttle;
}

/** The HTTP API shell: stage, logs, throttling, CORS and the JWT authorizer; routes are added by the stack. */
export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly httpStage: HttpStage;
  readonly authorizer: HttpJwtAuthorizer;
  /** the base URL without a trailing slash, as handlers build links from it */
  readonly endpoint: string;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    const origins = props.province.portalOrigins;
    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `motcua-${props.province.id}${props.stage === 'dev' ? '-dev' : ''}`,
      description: `Online public services of ${props.province.name}`,
      // the default stage is created below, where access logs and throttling can be set
      createDefaultStage: false,
      corsPreflight: origins.length
        ? {
            allowOrigins: [...origins],
            allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT, CorsHttpMethod.PATCH, CorsHttpMethod.DELETE, CorsHttpMethod.OPTIONS],
            allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
            exposeHeaders: ['location', 'idempotent-replayed'],
            maxAge: Duration.hours(1),
          }
        : undefined,
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: logRetention(props.stage),
      removalPolicy: removalPolicy(props.stage),
    });
    const throttle = props.throttle ?? defaultThrottle;
    this.httpStage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: throttle.rateLimit, burstLimit: throttle.burstLimit },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
    });

    this.authorizer = new HttpJwtAuthorizer('Jwt', props.issuer, { jwtAudience: [...props.audience] });

    const stack = Stack.of(this);
    this.endpoint = `https://${this.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;

    this.httpStage
      .metricServerError({ period: Duration.minutes(5), statistic: 'Sum' })
      .createAlarm(this, 'ServerErrors', {
        alarmDescription: `The API of ${props.province.name} answered with 5xx errors`,
        threshold: 5,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
  }

  /** Per-route limits below the stage's; API Gateway keys them by route key (`GET /track/{code}`). */
  throttleRoutes(limits: ReadonlyMap<string, Throttle>): void {
    if (limits.size === 0) return;
    const cfn = this.httpStage.node.defaultChild as CfnStage;
    cfn.routeSettings = Object.fromEntries(
      [...limits].map(([routeKey, t]) => [routeKey, { ThrottlingRateLimit: t.rateLimit, ThrottlingBurstLimit: t.burstLimit }]),
    );
  }

  static method(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'): HttpMethod {
    return HttpMethod[method];
  }
}
