import { z } from 'zod';

/**
 * A duration as written in the config: whole numbers with units, largest first, each unit at most
 * once, e.g. `500ms`, `30s`, `5m`, `26h`, `1h30m`, `2d`, as the rest of the config writes them.
 * `m(?!s)` keeps `5ms` from being read as five minutes.
 */
const durationPattern = /^(?=\d)(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;
const unitMs = [86_400_000, 3_600_000, 60_000, 1_000, 1] as const;

const duration = () => z.string().regex(durationPattern, 'a duration such as 500ms, 30s, 5m, 26h, 1h30m or 2d');

/** Milliseconds of a duration string accepted by the schema. Throws RangeError on anything else. */
export function parseDuration(text: string): number {
  const m = durationPattern.exec(text);
  if (!m) throw new RangeError(`not a duration: "${text}"`);
  return unitMs.reduce((total, ms, i) => total + Number(m[i + 1] ?? 0) * ms, 0);
}

/**
 * The `options:` section of a `zvt` device in the config. The framing (serial block or bare
 * TCP) is not an option: it follows from the device's transport.
 */
export const zvtOptionsSchema = z
  .object({
    password: z
      .string()
      .regex(/^\d{6}$/, 'six digits')
      .default('000000')
      .describe(
        'ZVT password of the terminal (6 digits, sent as BCD). Optional for Status-Enquiry in the spec but required by some terminals (card complete).',
      ),
    statusEnquiryServiceByte: z
      .number()
      .int()
      .min(0)
      .max(255)
      .nullable()
      .default(0x06)
      .describe(
        'Service byte of the Status-Enquiry poll (ZVT §2.56.1). Default 6: no software version in the answer (bit 1), and the TLV container with device info and lock bits (bit 2). null sends the password only, for terminals that reject the service byte.',
      ),
    identify: z
      .boolean()
      .default(true)
      .describe(
        'After each connect, send one Status-Enquiry that also asks for the software version, to read model, serial number and firmware.',
      ),
    completionTimeout: duration()
      .default('180s')
      .describe(
        'T4: how long to wait, after the terminal accepted a command, for it to complete. Every intermediate status restarts it, and the terminal may set a new value (ZVT §3.7).',
      ),
    settlementOverdueAfter: duration()
      .default('26h')
      .describe(
        'Report the settlement as overdue when the last end-of-day the agent saw is older than this. The terminal saying reconciliation is required (status F0) always counts.',
      ),
    transactionsFailingAfter: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(3)
      .describe(
        'Passthrough: raise terminal.transactions_failing after this many card transactions of the till in a row ended declined, refused or without completion (a customer or cashier cancelling does not count). An approved one clears it.',
      ),
    allowStateChanging: z
      .boolean()
      .default(false)
      .describe(
        'Allow Registration, Log-Off, Diagnosis, End-of-Day and Selftest. They change terminal-wide settings, contact the host, print or settle the batch, so leave this off when a till shares the terminal. Polling only ever uses Status-Enquiry.',
      ),
    registrationConfigByte: z
      .number()
      .int()
      .min(0)
      .max(255)
      .default(0x08)
      .describe(
        'Config byte of a Registration, when allowed (ZVT §2.1, Table 1). Default 8: intermediate status only, receipts stay with the terminal.',
      ),
  })
  .strict();

export type ZvtOptions = z.infer<typeof zvtOptionsSchema>;
