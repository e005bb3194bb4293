/**
 * `heartbeat:` — the outbound "I am alive" push for shops behind NAT, where the provider's
 * Prometheus cannot scrape the agent. Without a pushgateway and a webhook it does nothing.
 */
import { z } from 'zod';
import { duration } from './fields.js';
import { describeValue } from './messages.js';
import type { HeartbeatConfig, HeartbeatSinkAuth } from './types.js';

/** A label value that also reads well in a Pushgateway URL and a log line. */
const LABEL_VALUE = /^[A-Za-z0-9._-]{1,128}$/;

function labelValue(what: string) {
  return z.string().regex(LABEL_VALUE, {
    error: (issue) => `must be 1 to 128 letters, digits, '.', '_' or '-' (got ${describeValue(issue.input)}); it becomes the ${what} label`,
  });
}

/** http(s) URL without credentials: a URL ends up in log lines, a password must not. */
function endpointUrl(example: string) {
  return z
    .string()
    .superRefine((text, ctx) => {
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be an http:// or https:// URL such as ${example} (got ${describeValue(text)})` });
        return;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        ctx.addIssue({ code: 'custom', message: `must start with http:// or https:// (got ${describeValue(url.protocol)})` });
      } else if (url.username !== '' || url.password !== '') {
        ctx.addIssue({ code: 'custom', message: 'must not contain a user name or password; use token or basicAuth instead, which are never logged' });
      } else if (url.search !== '' || url.hash !== '') {
        ctx.addIssue({ code: 'custom', message: 'must not contain a query (?…) or fragment (#…)' });
      }
    })
    .meta({ examples: [example] });
}

const outboundToken = z
  .string()
  .regex(/^[\x21-\x7e]{1,4096}$/, { error: 'must be 1 to 4096 letters, digits and punctuation, without spaces' })
  .nullable()
  .default(null)
  .describe('Sent as "Authorization: Bearer <token>" (a reverse proxy in front of the receiver). null: none.');

const basicAuth = z
  .strictObject({
    username: z.string().min(1).regex(/^[^:\r\n]*$/, { error: 'must not contain ":" or a line break' }).describe('User name.'),
    password: z.string().min(1).regex(/^[^\r\n]*$/, { error: 'must not contain a line break' }).describe('Password; never logged.'),
  })
  .nullable()
  .default(null)
  .describe("HTTP basic authentication, as the Pushgateway's own --web.config.file offers. null: none.");

const caFile = z
  .string()
  .min(1)
  .nullable()
  .default(null)
  .describe("PEM file of the CA that signed the receiver's certificate, instead of the system store. null: the system store.");

function auth(token: string | null, basic: { username: string; password: string } | null): HeartbeatSinkAuth {
  if (token !== null) return { type: 'bearer', token };
  if (basic !== null) return { type: 'basic', ...basic };
  return { type: 'none' };
}

const onlyOneAuth = (sink: { token: string | null; basicAuth: unknown }, ctx: z.core.$RefinementCtx) => {
  if (sink.token !== null && sink.basicAuth !== null) {
    ctx.addIssue({ code: 'custom', path: ['basicAuth'], message: 'set either token or basicAuth, not both' });
  }
};

const pushgatewaySchema = z
  .strictObject({
    url: endpointUrl('https://push.example.net:9091').describe(
      'Base URL of the Pushgateway (with its route prefix, if any). The agent PUTs its series to <url>/metrics/job/<job>/instance/<instance>[/site/<site>].',
    ),
    job: labelValue('job').default('posdiag').describe('The job label of the pushed group.'),
    token: outboundToken,
    basicAuth,
    ca: caFile,
  })
  .superRefine(onlyOneAuth)
  .transform(({ url, job, token, basicAuth: basic, ca }) => ({ url, job, auth: auth(token, basic), caFile: ca }))
  .nullable()
  .default(null)
  .describe('Push the key series (heartbeat time, overall state, devices up, active alerts) to a Prometheus Pushgateway. null: off.');

const webhookSchema = z
  .strictObject({
    url: endpointUrl('https://hooks.example.net/posdiag/heartbeat').describe('Receives a JSON heartbeat by POST every interval.'),
    token: outboundToken,
    basicAuth,
    ca: caFile,
  })
  .superRefine(onlyOneAuth)
  .transform(({ url, token, basicAuth: basic, ca }) => ({ url, auth: auth(token, basic), caFile: ca }))
  .nullable()
  .default(null)
  .describe('POST a JSON heartbeat (overall state, devices, active alerts) to a URL. null: off.');

export const heartbeatSchema = z
  .strictObject({
    interval: duration('1m', { minMs: 100 }).describe(
      'Time between heartbeats. The shipped rule PosdiagHeartbeatMissing fires after three missed ones. At least 100ms.',
    ),
    timeout: duration('10s', { minMs: 10 }).describe('Give up one push after this long. At least 10ms.'),
    instance: labelValue('instance')
      .nullable()
      .default(null)
      .describe("Names this agent to the provider (the instance label). null: this PC's host name. The site label is site.id."),
    pushgateway: pushgatewaySchema,
    webhook: webhookSchema,
  })
  .transform(
    ({ interval, timeout, instance, pushgateway, webhook }): HeartbeatConfig => ({
      intervalMs: interval,
      timeoutMs: timeout,
      instance,
      pushgateway,
      webhook,
    }),
  )
  .describe('Outbound heartbeat for shops behind NAT: a silent agent becomes visible to the provider.');
