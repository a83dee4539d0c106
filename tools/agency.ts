import { agencyQueue } from '../functions/declaration.js';
import { AgencyApi, consumeQueue } from '../kit/agency-client.js';
import { queueUrlOf } from '../kit/queue-ops.js';
import { targetFrom } from './aws-target.js';

/**
 * `npm run agency -- consume <agencyId> [--once] [--receive] [--retry-after <s>] [--aws] [--province <id>]`
 *
 * The example consumer of an agency queue: long-polls, prints each dossier, deletes what it handled and
 * leaves what failed for the redrive policy. `--receive` acts back through the API: each newly submitted
 * dossier is received (form 01) with the official's token in MOTCUA_TOKEN, at MOTCUA_API_URL
 * (default http://127.0.0.1:3000). `--once` stops when the queue is empty.
 */
const usage = 'usage: npm run agency -- consume <agencyId> [--once] [--receive] [--retry-after <seconds>] [--aws] [--province <id>]';

async function main(argv: string[]): Promise<number> {
  const { target, rest } = targetFrom(argv);
  const [command, agencyId, ...flags] = rest;
  if (command !== 'consume' || !agencyId) {
    console.error(usage);
    return 2;
  }
  const retryAt = flags.indexOf('--retry-after');
  const retryAfterSeconds = retryAt >= 0 ? Number(flags[retryAt + 1]) : undefined;
  const receive = flags.includes('--receive');
  const token = process.env.MOTCUA_TOKEN;
  if (receive && !token) {
    console.error('--receive needs an official token in MOTCUA_TOKEN (POST /local/token {"role":"official","agencyId":…} locally)');
    return 2;
  }
  const api = token ? new AgencyApi(process.env.MOTCUA_API_URL ?? 'http://127.0.0.1:3000', token) : undefined;
  const sqs = target.sqs();
  const queueUrl = await queueUrlOf(sqs, agencyQueue.name(target.provinceId, agencyId));
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  console.log(`consuming ${queueUrl}${flags.includes('--once') ? ' until empty' : ' (Ctrl-C stops)'}`);
  try {
    const summary = await consumeQueue({
      sqs,
      queueUrl,
      signal: controller.signal,
      waitTimeSeconds: flags.includes('--once') ? 1 : 20,
      ...(flags.includes('--once') ? { stopWhenIdle: 1 } : {}),
      ...(retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) ? { retryAfterSeconds } : {}),
      handle: async (m) => {
        const d = m.dossier;
        console.log(`${m.occurredAt}  ${m.type.padEnd(26)} ${d.code}  [${d.status.code} ${d.status.label}]  ${d.service.name}  event ${m.eventId}`);
        if (receive && api && m.type === 'dossier.submitted') {
          const answer = await api.act(d.code, { action: 'receive', expectedVersion: d.version });
          // 409: someone already moved it on; the queue will bring that step too
          if (answer.status !== 200 && answer.status !== 409) throw new Error(`receive ${d.code}: ${answer.status} ${JSON.stringify(answer.body)}`);
          console.log(`  → receive: ${answer.status}`);
        }
      },
      onOutcome: (outcome, _m, detail) => {
        if (outcome === 'failed' || outcome === 'unreadable') console.log(`  left on the queue (${outcome}): ${typeof detail === 'string' ? detail : detail.eventId}`);
        if (outcome === 'duplicate' && typeof detail !== 'string') console.log(`  duplicate of ${detail.eventId}, deleted`);
      },
    });
    console.log(`handled ${summary.handled}, duplicates ${summary.duplicates}, failed ${summary.failed}, unreadable ${summary.unreadable}`);
    return 0;
  } catch (err) {
    if (controller.signal.aborted) return 0;
    throw err;
  } finally {
    sqs.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`agency: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
