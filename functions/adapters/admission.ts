import { AppError } from '../domain/errors.js';
import { FadingMax } from './fading-max.js';

/**
 * At most a few submissions of this process touch storage at once; the others wait their turn, and one
 * that could not start in time to finish before its function times out is refused first: 503 with
 * Retry-After, nothing written. Without this, a burst convoys: every request starts its reads at once,
 * all of them slow down together, and all time out together with their dossiers half done.
 *
 * In Lambda a container serves one request at a time, so the line is always empty there and scaling
 * comes from containers; it shapes the local runtime, where one process serves every request.
 */
const CONCURRENT = 16;
let running = 0;
const line: (() => void)[] = [];

/**
 * How long a submission has recently taken here, to judge whether one can still finish: a maximum that
 * fades with time (halving every 10 s of quiet), not only when a submission finishes, since after a burst
 * the refused ones never finish and the estimate would otherwise refuse everyone for good.
 */
const slowest = new FadingMax(500, 10_000);
const slowestRecent = () => slowest.value();

export const retryAfterSeconds = (): number => Math.max(2, Math.ceil((2 * slowestRecent()) / 1000));

const refused = () =>
  new AppError('unavailable', 'busy', `too many submissions at this moment; nothing was stored, retry after ${retryAfterSeconds()} s`, 'Hệ thống đang bận, vui lòng thử lại sau giây lát.', {
    retryAfterSeconds: retryAfterSeconds(),
  });

export async function admitted<T>(deadline: number | undefined, work: () => Promise<T>): Promise<T> {
  // conservative: under a burst the next submission can take well over the slowest recent one
  const latestStart = () => (deadline ?? Infinity) - 3 * slowestRecent() - 2_000;
  if (Date.now() > latestStart()) throw refused();
  if (running >= CONCURRENT) {
    await new Promise<void>((resolve, reject) => {
      const turn = () => {
        clearTimeout(timer);
        resolve();
      };
      const wait = latestStart() - Date.now();
      const timer = setTimeout(
        () => {
          const at = line.indexOf(turn);
          if (at >= 0) line.splice(at, 1);
          reject(refused());
        },
        Number.isFinite(wait) ? Math.max(0, wait) : 2 ** 31 - 1,
      );
      line.push(turn);
    });
  } else running += 1;
  const started = Date.now();
  try {
    return await work();
  } finally {
    slowest.observe(Date.now() - started);
    // hand the place straight to the next in line (running stays the same), or free it
    const next = line.shift();
    if (next) next();
    else running -= 1;
  }
}
