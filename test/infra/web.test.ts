import { createHash } from 'node:crypto';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { returnPage } from '../../functions/http/payment-page.js';
import { beforeAll, describe, expect, test } from 'vitest';
import { routes } from '../../functions/declaration.js';
import type { MotcuaStack } from '../../lib/motcua-stack.js';
import { apiPathPatterns, cachedPathPattern, cachedRoutes } from '../../lib/web-portal.js';
import { build, generateProvince } from './fixtures.js';

describe('the web portal of a province', { timeout: 60_000 }, () => {
  let stack: MotcuaStack;
  let template: Template;
  beforeAll(() => {
    ({ stack } = build(generateProvince({ agencies: 3 })));
    template = Template.fromStack(stack);
  });

  test('keeps the built app in a private, encrypted, TLS-only bucket that only CloudFront reads', () => {
    const site = stack.getLogicalId(stack.web.bucket.node.defaultChild as never);
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find((p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: site }));
    const statements = JSON.stringify(policy?.Properties.PolicyDocument.Statement);
    expect(statements).toContain('cloudfront.amazonaws.com');
    expect(statements).toContain('"aws:SecureTransport":"false"');
  });

  test('serves over HTTPS only, with a security headers policy on the app and on the API', () => {
    const distribution = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig;
    expect(distribution.DefaultRootObject).toBe('index.html');
    expect(distribution.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    const headersPolicy = { Ref: stack.getLogicalId(stack.web.headers.node.defaultChild as never) };
    expect(distribution.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual(headersPolicy);
    for (const behavior of distribution.CacheBehaviors) {
      expect(behavior.ViewerProtocolPolicy, behavior.PathPattern).toBe('https-only');
      expect(behavior.ResponseHeadersPolicyId, behavior.PathPattern).toEqual(headersPolicy);
    }
    const headers = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'))[0]!.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(headers.StrictTransportSecurity.AccessControlMaxAgeSec).toBeGreaterThanOrEqual(31_536_000);
    expect(headers.FrameOptions.FrameOption).toBe('DENY');
    expect(headers.ContentTypeOptions.Override).toBe(true);
    const csp = JSON.stringify(headers.ContentSecurityPolicy.ContentSecurityPolicy);
    for (const directive of ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"]) expect(csp).toContain(directive);
    expect(csp).not.toContain('unsafe-inline');
    // what the API serves as a page on this origin keeps to the policy: no style attributes, and each
    // <style> element allowed by its hash
    const styleSrc = /style-src [^;]*/.exec(csp)?.[0] ?? '';
    for (const status of ['paid', 'initiated', 'failed', 'unknown']) {
      const page = returnPage({ ref: 'MC1', status, amountVnd: 105_000, dossierCode: '000.00.14.H37-260302-0001' });
      expect(page, status).not.toMatch(/\sstyle=/);
      const styles = [...page.matchAll(/<style>([^<]*)<\/style>/g)].map((m) => m[1]!);
      expect(styles.length, status).toBeGreaterThan(0);
      for (const css of styles) expect(styleSrc).toContain(`'sha256-${createHash('sha256').update(css).digest('base64')}'`);
    }
  });

  test('puts every declared API route on the same origin, uncached, with the bearer token forwarded', () => {
    const patterns = apiPathPatterns(routes);
    expect(patterns).toEqual(expect.arrayContaining(['/services', '/services/*', '/dossiers', '/dossiers/*', '/track/*', '/stats', '/stats/*', '/agencies', '/agencies/*', '/openapi.json']));
    // every route's path is matched by one of the patterns, and none matches the app's own files
    const matches = (pattern: string, path: string) => new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`).test(path);
    for (const r of routes) expect(patterns.some((p) => matches(p, r.path.replace(/\{[^}]+\}/g, 'x'))), r.path).toBe(true);
    for (const file of ['/', '/index.html', '/assets/index-abc.js', '/config.json', '/favicon.svg']) expect(patterns.some((p) => matches(p, file)), file).toBe(false);
    const all = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig.CacheBehaviors as Record<string, unknown>[];
    const cached = new Set(cachedRoutes(routes).map((r) => cachedPathPattern(r.path)));
    const behaviors = all.filter((b) => !cached.has(b.PathPattern as string));
    expect(behaviors.map((b) => b.PathPattern).sort()).toEqual([...patterns].sort());
    for (const b of behaviors) {
      expect(b.AllowedMethods).toEqual(expect.arrayContaining(['GET', 'POST', 'OPTIONS']));
      // the managed CachingDisabled and AllViewerExceptHostHeader policies
      expect(b.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
      expect(b.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
    }
  });

  test('caches the agency ranking in front of the API for its declared max-age, before the uncached /stats/* behaviour', () => {
    const ranking = routes.find((r) => r.id === 'RankAgencies')!;
    expect(cachedRoutes(routes).map((r) => r.id)).toEqual(['RankAgencies']);
    const all = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig.CacheBehaviors as Record<string, unknown>[];
    const index = all.findIndex((b) => b.PathPattern === '/stats/agencies');
    expect(index).toBeGreaterThanOrEqual(0);
    // CloudFront takes the first matching pattern: the cached one must come before the catch-all
    expect(index).toBeLessThan(all.findIndex((b) => b.PathPattern === '/stats/*'));
    const behavior = all[index]!;
    expect(behavior.AllowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS']);
    const policyRef = behavior.CachePolicyId as { Ref: string };
    const policy = template.toJSON().Resources[policyRef.Ref].Properties.CachePolicyConfig;
    expect(policy).toMatchObject({ DefaultTTL: ranking.cacheSeconds, MaxTTL: ranking.cacheSeconds, MinTTL: 0 });
    expect(policy.ParametersInCacheKeyAndForwardedToOrigin).toMatchObject({
      QueryStringsConfig: { QueryStringBehavior: 'all' },
      HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['accept'] },
      CookiesConfig: { CookieBehavior: 'none' },
    });
  });

  test('signs in through the hosted UI with authorization code only, back to the distribution', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: Match.arrayWith(['openid']),
      CallbackURLs: [{ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebDistribution'), 'DomainName'] }, '/']] }],
      SupportedIdentityProviders: ['COGNITO'],
    });
  });

  test('lets browsers upload to and download from the document bucket from the portal origin', () => {
    const documents = Object.values(template.findResources('AWS::S3::Bucket')).find((b) => b.Properties.VersioningConfiguration);
    const rules = documents!.Properties.CorsConfiguration.CorsRules as { AllowedOrigins: unknown[]; AllowedMethods: string[] }[];
    const portal = rules.find((r) => JSON.stringify(r.AllowedOrigins).includes('WebDistribution'));
    expect(portal?.AllowedMethods).toEqual(expect.arrayContaining(['PUT', 'GET']));
    expect(portal?.AllowedOrigins).toHaveLength(1);
  });

  test('publishes the build with a config.json of public values only', () => {
    const deployment = Object.values(template.findResources('Custom::CDKBucketDeployment'))[0]!.Properties;
    expect(deployment.Prune).toBe(true);
    // the markers are the deploy-time values config.json is filled with: the client id and the hosted UI domain
    const markers = JSON.stringify(deployment.SourceMarkers);
    expect(markers).toContain(stack.getLogicalId(stack.identity!.client.node.defaultChild as never));
    expect(markers).toContain(stack.getLogicalId(stack.web.domain!.node.defaultChild as never));
    const config = JSON.stringify(stack.resolve(stack.web.auth));
    expect(Object.keys(stack.web.auth).sort()).toEqual(['authorizeUrl', 'clientId', 'kind', 'logoutUrl', 'scope', 'tokenUrl']);
    expect(config).toContain('/oauth2/authorize');
    expect(config).toContain('/oauth2/token');
    expect(config).not.toMatch(/secret/i);
    expect(JSON.stringify(template.toJSON().Outputs.PortalUrl)).toContain('DomainName');
  });
});
