import { describe, expect, test } from 'vitest';
import { Template } from 'aws-cdk-lib/assertions';
import { routes } from '../../functions/declaration.js';
import { parseProvince } from '../../provinces/load.js';
import { build, generateProvinceInput } from './fixtures.js';

describe('who issues the tokens the API trusts', () => {
  test('an external OpenID Connect issuer named in the province file replaces the user pool', () => {
    // Prepare
    const province = parseProvince(
      { ...generateProvinceInput({ agencies: 2 }), identity: { issuer: 'https://sso.dichvucong.gov.vn', audience: ['motcua-portal'] } },
      'generated',
    );

    // Act
    const template = Template.fromStack(build(province).stack);

    // Assess
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: 'https://sso.dichvucong.gov.vn', Audience: ['motcua-portal'] },
    });
    template.hasOutput('TokenIssuer', { Value: 'https://sso.dichvucong.gov.vn' });
  });

  test('a province file refuses an issuer that is not https', () => {
    expect(() => parseProvince({ ...generateProvinceInput({ agencies: 1 }), identity: { issuer: 'http://sso.example', audience: ['x'] } }, 'generated')).toThrow(/identity\.issuer/);
  });
});

describe('throttling', () => {
  test('the stage has a default limit and routes that invite guessing get their tighter one', () => {
    // Prepare
    const throttled = routes.filter((r) => 'throttle' in r && r.throttle);
    expect(throttled.map((r) => r.id)).toContain('TrackDossier');

    // Act
    const template = Template.fromStack(build(parseProvince(generateProvinceInput({ agencies: 1 }), 'generated')).stack);

    // Assess
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0] as { Properties: { DefaultRouteSettings: Record<string, number>; RouteSettings: Record<string, Record<string, number>> } };
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    for (const route of throttled) {
      const limit = (route as { throttle: { rateLimit: number; burstLimit: number } }).throttle;
      expect(stage.Properties.RouteSettings[`${route.method} ${route.path}`]).toEqual({ ThrottlingRateLimit: limit.rateLimit, ThrottlingBurstLimit: limit.burstLimit });
    }
  });
});
