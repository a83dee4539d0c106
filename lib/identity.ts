import { Duration, Stack } from 'aws-cdk-lib';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  StringAttribute,
  UserPool,
  UserPoolClient,
  UserPoolGroup,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { Role } from '../functions/declaration.js';
import type { Province } from '../provinces/schema.js';
import { acknowledge } from './nag.js';
import { removalPolicy, type StageName } from './stage.js';

export interface IdentityProps {
  readonly province: Province;
  readonly stage: StageName;
}

/** Roles carried as Cognito groups; a user in no group is a citizen (see functions/adapters/identity.ts). */
const groups: readonly Exclude<Role, 'citizen'>[] = ['official', 'admin'];

/** The custom attribute binding an official to an agency; it reaches handlers as the `custom:agencyId` claim. */
export const agencyIdAttribute = 'agencyId';

/** The default issuer of the API's JWTs: a Cognito user pool for citizens and officials. */
export class Identity extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  /** `https://cognito-idp.<region>.amazonaws.com/<poolId>`, the `iss` claim of its tokens */
  readonly issuer: string;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    const dev = props.stage === 'dev';

    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: `motcua-${props.province.id}${dev ? '-dev' : ''}`,
      selfSignUpEnabled: true,
      signInAliases: { email: true, phone: true },
      autoVerify: { email: true, phone: true },
      keepOriginal: { email: true, phone: true },
      signInCaseSensitive: false,
      customAttributes: {
        // mutable so that an admin can move an official to another agency without recreating the user
        [agencyIdAttribute]: new StringAttribute({ minLen: 1, maxLen: 40, mutable: true }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { sms: true, otp: true },
      accountRecovery: AccountRecovery.EMAIL_AND_PHONE_WITHOUT_MFA,
      featurePlan: FeaturePlan.ESSENTIALS,
      deletionProtection: !dev,
      removalPolicy: removalPolicy(props.stage),
    });

    for (const [precedence, group] of groups.entries()) {
      new UserPoolGroup(this, `Group-${group}`, { userPool: this.userPool, groupName: group, precedence });
    }

    const standard = { email: true, emailVerified: true, phoneNumber: true, phoneNumberVerified: true, fullname: true };
    this.client = this.userPool.addClient('PortalClient', {
      // a browser/mobile app: it cannot keep a secret
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      readAttributes: new ClientAttributes().withStandardAttributes(standard).withCustomAttributes(agencyIdAttribute),
      // Never writable by the user: an official's agency scope would otherwise be self-assigned.
      writeAttributes: new ClientAttributes().withStandardAttributes({ email: true, phoneNumber: true, fullname: true }),
    });

    const stack = Stack.of(this);
    this.issuer = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${this.userPool.userPoolId}`;

    acknowledge(this.userPool, {
      'AwsSolutions-COG2':
        'MFA is optional (SMS or TOTP): citizens sign up by themselves, many with only a basic phone, and mandatory MFA would shut them out of public services. Officials are asked to enrol by policy.',
      'AwsSolutions-IAM5[Resource::*]':
        'The role Cognito assumes to send verification and MFA text messages: sns:Publish to a phone number has no resource ARN to scope it to.',
      'AwsSolutions-COG8':
        'Threat protection needs the Plus feature plan, billed per monthly active user; for a citizen-scale pool that is a budget decision for the province, not a default.',
    });
  }
}
