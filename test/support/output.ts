import { vi } from 'vitest';

/**
 * Keeps the lines written to a standard stream that `keep` selects (Powertools writes one JSON document a
 * line) and lets every other write through, until `restore`.
 */
export function captureLines(stream: NodeJS.WriteStream, keep: (line: string) => boolean): { readonly lines: Record<string, unknown>[]; restore(): void } {
  const lines: Record<string, unknown>[] = [];
  const write = stream.write.bind(stream) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
  const spy = vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const ours = String(chunk).split('\n').filter(keep);
    for (const line of ours) lines.push(JSON.parse(line) as Record<string, unknown>);
    return ours.length > 0 ? true : write(chunk, ...rest);
  });
  return { lines, restore: () => spy.mockRestore() };
}
