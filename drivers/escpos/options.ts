import { z } from 'zod';

/** The `options:` section of an `escpos` device in the config. */
export const escposOptionsSchema = z
  .object({
    asb: z
      .boolean()
      .default(false)
      .describe(
        'Enable Automatic Status Back (GS a): the printer reports changes by itself, so faults show up without waiting for the next poll. Polling continues as a liveness check.',
      ),
    identify: z
      .boolean()
      .default(true)
      .describe('Read manufacturer, model, serial number and firmware (GS I 65-68) after each connect.'),
  })
  .strict();

export type EscposOptions = z.infer<typeof escposOptionsSchema>;
