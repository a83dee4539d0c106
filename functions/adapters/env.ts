/** A variable the stack or the local runtime always sets; its absence is a deployment fault, said plainly. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}
