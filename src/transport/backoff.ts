/**
 * Capped exponential backoff with "equal jitter": the delay doubles per failed attempt up to
 * `maxMs`, and half of it is randomised so that a shop's devices (or a fleet of agents after a
 * power cut) do not all retry in step. Pure: the random source is passed in.
 */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random: () => number): number {
  const exponent = Math.min(Math.max(attempt, 0), 30);
  const ceiling = Math.min(maxMs, minMs * 2 ** exponent);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
