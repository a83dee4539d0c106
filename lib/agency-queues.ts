import { Duration, NestedStack } from 'aws-cdk-lib';
import { ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { agencyQueue } from '../functions/declaration.js';
import type { Agency, Province } from '../provinces/schema.js';

/**
 * CloudFormation allows 500 resources per template, and each agency costs six (queue, dead-letter queue, a
 * TLS-only policy on each, two alarms): a province with ~200 agencies (departments plus communes) would not fit
 * in one stack. The queues therefore live in nested stacks, each its own template with its own limit.
 *
 * An agency is placed by a hash of its id into one of a fixed number of shards, not by its position in the
 * province file: queues have fixed names, so an agency that moved to another nested stack because someone
 * inserted an agency above it would be created in the new stack before the old one released the name, and
 * the deployment would fail. With a hash, adding or removing an agency touches only its own shard.
 * SHARDS must never change once a province is deployed, for the same reason.
 */
export const SHARDS = 10;
/** Resources each agency adds to its shard's template: two queues, their two policies, two alarms. */
export const RESOURCES_PER_AGENCY = 6;
/**
 * A message older than this means the agency's system stopped consuming (or keeps failing on it): dossiers
 * then wait unseen while their legal deadline runs.
 */
export const OLDEST_MESSAGE_ALARM_MINUTES = 60;
/** CloudFormation's per-template limit, minus room for what CDK adds to a nested template. */
export const MAX_AGENCIES_PER_SHARD = Math.floor((500 - 20) / RESOURCES_PER_AGENCY);

/** FNV-1a: tiny, stable across Node versions and platforms, and spreads slugs evenly enough. */
export function shardOf(agencyId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < agencyId.length; i++) {
    hash ^= agencyId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % SHARDS;
}

export interface AgencyQueuesProps {
  readonly province: Province;
}

class AgencyQueueShard extends NestedStack {
  constructor(scope: Construct, id: string, provinceId: string, agencies: readonly Agency[]) {
    super(scope, id, { description: `motcua ${provinceId}: agency queues, shard ${id}` });
    for (const agency of agencies) {
      const group = new Construct(this, agency.id);
      const dlq = new Queue(group, 'DeadLetter', {
        queueName: agencyQueue.deadLetterName(provinceId, agency.id),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        // the maximum SQS allows: a message that failed five times needs a person, who may be on leave
        retentionPeriod: Duration.days(14),
      });
      const queue = new Queue(group, 'Queue', {
        queueName: agencyQueue.name(provinceId, agency.id),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(agencyQueue.retentionDays),
        visibilityTimeout: Duration.seconds(agencyQueue.visibilityTimeoutSeconds),
        deadLetterQueue: { queue: dlq, maxReceiveCount: agencyQueue.maxReceiveCount },
      });
      dlq
        .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' })
        .createAlarm(group, 'DeadLetterNotEmpty', {
          alarmDescription: `Messages for ${agency.name} (${agency.code}) failed ${agencyQueue.maxReceiveCount} times and wait in ${agencyQueue.deadLetterName(provinceId, agency.id)}`,
          threshold: 0,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        });
      queue
        .metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' })
        .createAlarm(group, 'OldestMessageTooOld', {
          alarmDescription: `${agency.name} (${agency.code}) has not consumed its queue for ${OLDEST_MESSAGE_ALARM_MINUTES} minutes: dossiers wait unseen in ${agencyQueue.name(provinceId, agency.id)}`,
          threshold: OLDEST_MESSAGE_ALARM_MINUTES * 60,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        });
    }
  }
}

/** One standard queue and one dead-letter queue per agency, spread over nested stacks (see SHARDS). */
export class AgencyQueues extends Construct {
  /** shard index → nested stack; shards without agencies are not created (an empty template is invalid) */
  readonly shards = new Map<number, NestedStack>();

  constructor(scope: Construct, id: string, props: AgencyQueuesProps) {
    super(scope, id);
    const byShard = new Map<number, Agency[]>();
    for (const agency of props.province.agencies) {
      const shard = shardOf(agency.id);
      byShard.set(shard, [...(byShard.get(shard) ?? []), agency]);
    }
    for (const [shard, agencies] of [...byShard.entries()].sort(([a], [b]) => a - b)) {
      if (agencies.length > MAX_AGENCIES_PER_SHARD) {
        throw new Error(
          `agency queue shard ${shard} would hold ${agencies.length} agencies (at most ${MAX_AGENCIES_PER_SHARD} fit in one CloudFormation template); ` +
            'a province this large needs a second stack for its queues',
        );
      }
      this.shards.set(shard, new AgencyQueueShard(this, `Shard${shard}`, props.province.id, agencies));
    }
  }
}
