import { join, relative } from 'node:path';
import { agencyQueue } from '../functions/declaration.js';
import { calendarWarning } from '../functions/domain/calendar.js';
import { startLocalStack, type LocalStack } from './stack.js';
import { ensureWebBuild } from './web.js';

/**
 * `npm start`: the whole province on this machine. Ctrl-C (SIGINT) or SIGTERM stops every part, writes
 * the queue snapshots, ends DynamoDB Local and exits 0; a second Ctrl-C while stopping exits at once.
 */

let stack: LocalStack | undefined;
let stopping = false;
let firstSignalAt = 0;

async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) {
    // Ctrl-C reaches this process twice, from the terminal and relayed by the tsx wrapper: only a signal
    // that comes clearly later is a person insisting.
    if (Date.now() - firstSignalAt < 1500) return;
    console.error(`${signal} again: exiting without waiting`);
    process.exit(1);
  }
  stopping = true;
  firstSignalAt = Date.now();
  console.log(`\n${signal}: stopping…`);
  try {
    await stack?.stop();
    process.exit(0);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}

process.on('SIGINT', (signal) => void shutdown(signal));
process.on('SIGTERM', (signal) => void shutdown(signal));

try {
  // the portal is served from web/dist: build it first when missing or older than its sources
  await ensureWebBuild((line) => console.log(line));
  stack = await startLocalStack();
} catch (err) {
  // One line: the reason (missing Java, a broken province file, a busy port), not a stack trace.
  console.error(`npm start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

if (stopping) {
  await stack.stop();
  process.exit(0);
}

function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
}

const { province, apiUrl, endpoints, region } = stack;
const firstAgency = province.agencies[0];
const queueUrl = firstAgency ? `${stack.queueUrlBase}/${agencyQueue.name(province.id, firstAgency.id)}` : '';
const lines = [
  `motcua — ${province.name} (${province.id}) runs locally`,
  `  web portal     ${apiUrl}/   (sign in through the local page it links to)`,
  `  API            ${apiUrl}`,
  `  AWS endpoints  DynamoDB ${endpoints.dynamodb} · S3 ${endpoints.s3} · SQS ${endpoints.sqs} (region ${region}, credentials S3RVER/S3RVER)`,
  `  data folder    ${shownPath(stack.dataDir)}`,
  `  token          curl -s -XPOST ${apiUrl}/local/token -d '{"role":"citizen"}'   (or {"role":"official","agencyId":"${firstAgency?.id ?? '<agency>'}"})`,
  `  agency queue   AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER aws --region ${region} --endpoint-url ${endpoints.sqs} sqs receive-message --queue-url ${queueUrl}`,
  `  clock          curl -s ${apiUrl}/local/clock   (POST {"advance":{"days":1}} to move it)`,
  `  emails         ${stack.notifications.sesUrl}   (the SES v2 stand-in: every email sent; JSON at /store)`,
  `  SMS outbox     ${stack.notifications.smsOutboxUrl}   (every SMS sent; failed notifications wait in ${stack.notifications.deadLetterUrl})`,
  `  payments       ${stack.paygovUrl}   (simulated national Payment Platform; merchant secret in ${shownPath(join(stack.dataDir, 'payments'))})`,
  `  national portal ${stack.nationalPortal.url}   (simulated DVCQG: what it received; POST /control {"mode":"error"} to fail, POST /push to send a dossier)`,
  `Ctrl-C stops everything.`,
];
console.log(lines.join('\n'));
// A year without the government's published arrangement is counted from the statute, never silently.
const calendar = calendarWarning(province.calendar, province.services, stack.clock.now());
if (calendar) console.warn(`warning: ${calendar.message}`);
