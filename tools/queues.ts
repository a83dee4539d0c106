import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { loadProvinceFile, provinceFilePath } from '../provinces/load.js';
import { agencyQueueStatus, fauxqsOldestAge, moveDeadLetters, startRedriveTask, type OldestAge } from '../kit/queue-ops.js';
import { targetFrom } from './aws-target.js';

/**
 * `npm run queues -- status [--aws] [--province <id>]`: per agency, messages waiting, in flight, the age of
 * the oldest, and dead letters. `npm run queues -- redrive <agencyId> [--aws]`: dead letters back to the
 * agency queue (SQS StartMessageMoveTask in the cloud; moved one by one locally, where fauxqs lacks it).
 */
const usage = 'usage: npm run queues -- status | redrive <agencyId>   [--aws] [--province <id>]';

/** In the cloud the age is CloudWatch's ApproximateAgeOfOldestMessage, the metric the alarms watch. */
function cloudWatchOldestAge(cw: CloudWatchClient): OldestAge {
  return async (queueName) => {
    const end = new Date();
    const answer = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(end.getTime() - 15 * 60_000),
        EndTime: end,
        MetricDataQueries: [
          { Id: 'age', MetricStat: { Metric: { Namespace: 'AWS/SQS', MetricName: 'ApproximateAgeOfOldestMessage', Dimensions: [{ Name: 'QueueName', Value: queueName }] }, Period: 60, Stat: 'Maximum' } },
        ],
      }),
    );
    return answer.MetricDataResults?.[0]?.Values?.[0];
  };
}

async function main(argv: string[]): Promise<number> {
  const { target, rest } = targetFrom(argv);
  const [command, agencyId] = rest;
  const sqs = target.sqs();
  try {
    if (command === 'status') {
      const province = loadProvinceFile(provinceFilePath(target.provinceId));
      const age = target.aws ? cloudWatchOldestAge(new CloudWatchClient({})) : fauxqsOldestAge(target.sqsEndpoint!);
      const rows = await agencyQueueStatus(sqs, province.id, province.agencies.map((a) => a.id), age);
      console.log(`${'agency'.padEnd(44)} ${'waiting'.padStart(8)} ${'in flight'.padStart(9)} ${'oldest (s)'.padStart(10)} ${'dead'.padStart(6)}`);
      for (const r of rows) {
        console.log(`${r.agencyId.padEnd(44)} ${String(r.depth).padStart(8)} ${String(r.inFlight).padStart(9)} ${String(r.oldestAgeSeconds ?? '-').padStart(10)} ${String(r.deadLetters).padStart(6)}${r.deadLetters > 0 ? '  ← npm run queues -- redrive ' + r.agencyId : ''}`);
      }
      return 0;
    }
    if (command === 'redrive' && agencyId) {
      const result = target.aws ? await startRedriveTask(sqs, target.provinceId, agencyId) : await moveDeadLetters(sqs, target.provinceId, agencyId);
      console.log(result.kind === 'move-task' ? `message move task started: ${result.taskHandle}` : `moved ${result.moved} messages back to the queue of ${agencyId}`);
      return 0;
    }
    console.error(usage);
    return 2;
  } finally {
    sqs.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`queues: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
