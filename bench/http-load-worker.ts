/**
 * Load generator, run as its own process so its work never counts as the agent's.
 * Open loop: `rate` requests per second to `url` for `seconds`, each timed from when it was due
 * (so a slow server cannot hide its queueing); then closed loop with `concurrency` clients as fast
 * as the agent answers, for the throughput.
 * Usage: node http-load-worker.js <url> <rate> <seconds> <concurrency>
 */
const [url, rateText, secondsText, concurrencyText] = process.argv.slice(2);
const rate = Number(rateText);
const seconds = Number(secondsText);
const concurrency = Number(concurrencyText);
if (!url || !rate || !seconds || !concurrency) throw new Error('usage: http-load-worker <url> <rate> <seconds> <concurrency>');

async function once(): Promise<boolean> {
  const response = await fetch(url!);
  await response.arrayBuffer();
  return response.status === 200;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

for (let i = 0; i < 50; i += 1) await once(); // warm-up: connections, JIT on both sides

const latencies: number[] = [];
let errors = 0;
const total = rate * seconds;
const start = performance.now();
const pending: Promise<void>[] = [];
for (let i = 0; i < total; i += 1) {
  const due = start + (i * 1000) / rate;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  pending.push(
    once().then(
      (ok) => {
        if (!ok) errors += 1;
        latencies.push(performance.now() - due);
      },
      () => {
        errors += 1;
      },
    ),
  );
}
await Promise.all(pending);

let done = 0;
const closedStart = performance.now();
// Throughput settles within a second or two; half the open-loop time, at most 5 s.
const closedUntil = closedStart + Math.min(5, seconds / 2) * 1000;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < closedUntil) {
      if (await once().catch(() => false)) done += 1;
      else errors += 1;
    }
  }),
);
const throughput = done / ((performance.now() - closedStart) / 1000);
process.stdout.write(
  `${JSON.stringify({ requests: latencies.length, errors, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), maxMs: Math.max(...latencies), throughputPerSecond: throughput })}\n`,
);
