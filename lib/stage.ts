import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** `prod` keeps data when the stack goes away; `dev` is disposable so that test stacks leave nothing behind. */
export type StageName = 'prod' | 'dev';

export function isStageName(value: unknown): value is StageName {
  return value === 'prod' || value === 'dev';
}

export function removalPolicy(stage: StageName): RemovalPolicy {
  return stage === 'dev' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}

/** Logs of a public service are evidence in complaints; keep them a year in production. */
export function logRetention(stage: StageName): RetentionDays {
  return stage === 'dev' ? RetentionDays.ONE_WEEK : RetentionDays.ONE_YEAR;
}
