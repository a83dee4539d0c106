import { existsSync } from 'node:fs';
import { Duration, Stack } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CacheCookieBehavior,
  CacheHeaderBehavior,
  CachePolicy,
  CacheQueryStringBehavior,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { type CfnUserPoolClient, type UserPool, type UserPoolClient, type UserPoolDomain } from 'aws-cdk-lib/aws-cognito';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { RouteDeclaration } from '../functions/declaration.js';
import { portalCsp } from './portal-csp.js';
import type { Province } from '../provinces/schema.js';
import { acknowledge, nagResourceId } from './nag.js';
import { fromRoot } from './paths.js';
import { removalPolicy, type StageName } from './stage.js';

export interface WebPortalProps {
  readonly province: Province;
  readonly stage: StageName;
  /** the documents bucket: browsers PUT uploads and GET results there with presigned URLs */
  readonly documents: Bucket;
  /** the stack's user pool and its app client; absent when the province names an external OpenID Connect issuer */
  readonly userPool?: UserPool;
  readonly client?: UserPoolClient;
  /** the built app (`npm start` and `npm test` build it; see local/web.ts) */
  readonly webDist?: string;
}

/**
 * The portal: the built single-page app in a private bucket behind CloudFront (HTTPS only, origin access
 * control, a security headers policy), with the API's routes as further behaviours of the same
 * distribution so that the browser talks to one origin and the API needs no CORS. Sign-in is the user
 * pool's hosted UI (authorization code with PKCE, a client without a secret), or the province's issuer.
 */
export class WebPortal extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly headers: ResponseHeadersPolicy;
  readonly domain?: UserPoolDomain;
  /** what config.json tells the app about signing in */
  readonly auth: Record<string, string>;
  private readonly dist: string;
  /** `https://<distribution domain>` */
  readonly url: string;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: WebPortalProps,
  ) {
    super(scope, id);
    const { province, stage } = props;
    const dist = props.webDist ?? fromRoot('web/dist');
    if (!existsSync(`${dist}/index.html`)) throw new Error(`the web app is not built (${dist}/index.html is missing): build it with npx vite build web (npm start and npm test do)`);
    const stack = Stack.of(this);

    this.bucket = new Bucket(this, 'Site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // rebuilt from the repository at every deploy; the deployment below empties it when the stack goes
      removalPolicy: removalPolicy(stage),
    });
    acknowledge(this.bucket, {
      'AwsSolutions-S1': 'The portal bucket holds only the public build of web/; CloudFront alone reads it (origin access control), and API requests are logged by the API stage.',
    });

    const authOrigin = props.userPool ? `https://*.auth.${stack.region}.amazoncognito.com` : province.identity ? new URL(province.identity.issuer).origin : '';
    // Presigned uploads and downloads go to the documents bucket and the token endpoint is the sign-in's.
    // The bucket is named by region only: its exact name would make the bucket's CORS rule (which names
    // this distribution) and this policy depend on each other, a cycle CloudFormation refuses.
    const csp = portalCsp([`https://*.s3.${stack.region}.${stack.urlSuffix}`, ...(authOrigin ? [authOrigin] : [])]);
    this.headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: `motcua ${province.id}: security headers of the portal`,
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        xssProtection: { protection: true, modeBlock: true, override: true },
      },
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `motcua ${province.id} portal`,
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      // Vietnam is served from Asian edges, which price class 200 includes
      priceClass: PriceClass.PRICE_CLASS_200,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        compress: true,
      },
    });
    this.url = `https://${this.distribution.distributionDomainName}`;
    acknowledge(this.distribution, {
      'AwsSolutions-CFR1': 'No geo restriction: citizens of the province living or travelling abroad must reach their public services.',
      'AwsSolutions-CFR2': 'No WAF web ACL by default: the API behind it has stage and per-route throttling; a WAF is billed per ACL and rule and is left to the province to add.',
      'AwsSolutions-CFR3': 'CloudFront standard logs need an ACL-enabled bucket; the API requests it forwards are logged by the API stage access logs, and the static files carry no personal data.',
      'AwsSolutions-CFR4': "The default *.cloudfront.net certificate is used until the province attaches its own domain; CloudFront then enforces the TLS policy of that certificate's distribution settings.",
    });

    // Uploads and downloads from the portal's origin, with presigned URLs.
    props.documents.addCorsRule({ allowedOrigins: [this.url], allowedMethods: [HttpMethods.PUT, HttpMethods.GET, HttpMethods.HEAD], allowedHeaders: ['*'], exposedHeaders: ['ETag'], maxAge: 3000 });

    if (props.userPool && props.client) {
      this.domain = props.userPool.addDomain('HostedUi', { cognitoDomain: { domainPrefix: `motcua-${province.id}${stage === 'dev' ? '-dev' : ''}` } });
      // The portal signs in through the hosted UI with the pool's existing app client (no secret), so the
      // API's authorizer keeps one audience: authorization code with PKCE, back to this distribution only.
      const cfn = props.client.node.defaultChild as CfnUserPoolClient;
      cfn.allowedOAuthFlowsUserPoolClient = true;
      cfn.allowedOAuthFlows = ['code'];
      cfn.allowedOAuthScopes = ['openid', 'email', 'phone', 'profile'];
      cfn.callbackUrLs = [`${this.url}/`];
      cfn.logoutUrLs = [`${this.url}/`];
      cfn.supportedIdentityProviders = ['COGNITO'];
      const base = this.domain.baseUrl();
      this.auth = { kind: 'cognito', clientId: props.client.userPoolClientId, authorizeUrl: `${base}/oauth2/authorize`, tokenUrl: `${base}/oauth2/token`, logoutUrl: `${base}/logout`, scope: 'openid email phone profile' };
    } else if (province.identity) {
      // the issuer's discovery document names its endpoints; its first audience is the portal's client id
      this.auth = { kind: 'oidc', issuer: province.identity.issuer, clientId: province.identity.audience[0]!, scope: 'openid' };
    } else {
      throw new Error('the portal needs the user pool and its client, or the province\'s identity issuer');
    }
    this.dist = dist;
  }

  /**
   * The last step, once the API exists: its routes as behaviours of the distribution, and the build
   * published with the config.json that tells the app where to sign in (public values only).
   */
  publish(apiId: string, routes: readonly RouteDeclaration[]): void {
    this.routeApi(apiId, routes);
    const { province } = this.props;
    new BucketDeployment(this, 'Deploy', {
      sources: [Source.asset(this.dist, { exclude: ['.build-stamp'] }), Source.jsonData('config.json', { province: { id: province.id, name: province.name }, auth: this.auth })],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/index.html', '/config.json'],
      prune: true,
      retainOnDelete: false,
      memoryLimit: 256,
    });
    acknowledgeDeploymentHandler(Stack.of(this), this.bucket);
  }

  /**
   * The API's routes on the portal's origin: one behaviour per first path segment of the declaration,
   * never cached, every viewer header but Host forwarded (the bearer token included).
   */
  private routeApi(apiId: string, routes: readonly RouteDeclaration[]): void {
    const stack = Stack.of(this);
    const origin = new HttpOrigin(`${apiId}.execute-api.${stack.region}.${stack.urlSuffix}`, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY });
    // Public answers the declaration lets be cached (`cacheSeconds`) get their own, earlier behaviour: CloudFront
    // takes the first pattern that matches, so these must come before the uncached catch-alls below. A burst
    // of readers of the agency ranking then costs the table one read per edge and max-age, not one per request.
    for (const route of cachedRoutes(routes)) {
      const cachePolicy = new CachePolicy(this, `Cache${route.id}`, {
        comment: `${route.method} ${route.path}: public, ${route.cacheSeconds}s as the route's Cache-Control says`,
        defaultTtl: Duration.seconds(route.cacheSeconds),
        maxTtl: Duration.seconds(route.cacheSeconds),
        minTtl: Duration.seconds(0),
        // the query chooses the period, scope and format; Accept may ask for CSV; nothing else changes the answer
        queryStringBehavior: CacheQueryStringBehavior.all(),
        headerBehavior: CacheHeaderBehavior.allowList('accept'),
        cookieBehavior: CacheCookieBehavior.none(),
        enableAcceptEncodingGzip: true,
        enableAcceptEncodingBrotli: true,
      });
      this.distribution.addBehavior(cachedPathPattern(route.path), origin, {
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
        cachePolicy,
        responseHeadersPolicy: this.headers,
      });
    }
    for (const pattern of apiPathPatterns(routes)) {
      this.distribution.addBehavior(pattern, origin, {
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: this.headers,
      });
    }
  }
}

/** Public GET routes the declaration lets be cached. */
export function cachedRoutes(routes: readonly RouteDeclaration[]): (RouteDeclaration & { cacheSeconds: number })[] {
  return routes.filter((r): r is RouteDeclaration & { cacheSeconds: number } => r.access === 'public' && r.method === 'GET' && (r.cacheSeconds ?? 0) > 0);
}

/** The route's own path, each parameter a wildcard: `/stats/agencies` stays itself. */
export function cachedPathPattern(path: string): string {
  return path.replace(/\{[^}]+\}/g, '*');
}

/** `/services` and `/services/*` for routes under /services, `/openapi.json` for itself, and so on. */
export function apiPathPatterns(routes: readonly RouteDeclaration[]): string[] {
  const patterns = new Set<string>();
  for (const route of routes) {
    const [first = '', ...rest] = route.path.split('/').filter(Boolean);
    if (first.startsWith('{')) throw new Error(`route ${route.id}: a path starting with a parameter cannot be told apart from the portal's files`);
    patterns.add(`/${first}`);
    if (rest.length) patterns.add(`/${first}/*`);
  }
  return [...patterns].sort();
}

/** BucketDeployment's singleton handler is CDK's (a Python custom resource with the AWS CLI layer). */
function acknowledgeDeploymentHandler(stack: Stack, site: Bucket): void {
  const copies = "CDK's bucket-deployment custom resource copies the build from CDK's asset bucket into the portal bucket with the S3 actions CDK grants it";
  for (const child of stack.node.children) {
    if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
    acknowledge(child, {
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
        "CDK's bucket-deployment custom resource runs once per deploy with the basic execution role that CDK gives it.",
      'AwsSolutions-L1': "CDK's bucket-deployment custom resource pins its own Python runtime, which this project does not choose.",
      'AwsSolutions-IAM5[Action::s3:GetBucket*]': `${copies} (s3:GetBucket*).`,
      'AwsSolutions-IAM5[Action::s3:GetObject*]': `${copies} (s3:GetObject*).`,
      'AwsSolutions-IAM5[Action::s3:List*]': `${copies} (s3:List*).`,
      'AwsSolutions-IAM5[Action::s3:Abort*]': `${copies} (s3:Abort*, for its multipart uploads).`,
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]': `${copies} (s3:DeleteObject*, to prune files of an older build).`,
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]': `${copies}: it reads the build's zip from the bootstrap asset bucket.`,
      [`AwsSolutions-IAM5[${nagResourceId(stack, site.arnForObjects('*'))}]`]: `${copies}: it writes every object of the portal bucket, and only of that bucket.`,
      'AwsSolutions-IAM5[Resource::*]': "CDK's bucket-deployment custom resource invalidates index.html and config.json on the distribution; cloudfront:CreateInvalidation is granted by CDK on '*'.",
    });
  }
}
