import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { SupportBundle } from '../bundle/build.js';
import { bundleFileName } from '../bundle/build.js';
import type { HistorySnapshot } from '../history/recorder.js';
import { historyView } from '../history/view.js';
import { stateChangeGuard } from './csrf.js';
import type { HttpDeps } from './server.js';
import { statusDocument } from './status-document.js';
import { type FeedSnapshot, StatusFeed } from './status-feed.js';
import { type Asset, loadAssets } from './ui/assets.js';
import { localeFromAcceptLanguage } from './ui/locale.js';
import { pageView } from './ui/page-view.js';

/** What the status page needs beyond the JSON API's dependencies. */
export interface StatusPageDeps {
  /** The last 24 hours per device, the network and the host (the store's readings, or the in-memory ring). */
  history(now: Date): HistorySnapshot;
  /** Start of a subject's current state. */
  stateSince(subject: string): string | null;
  /** A full round: every device polled, every network and host check run. */
  checkNow(): Promise<void>;
  /** The support bundle as of now. */
  bundle(): SupportBundle;
  networkTargets: number;
  heartbeatMs?: number;
}

export interface StatusPageOptions {
  deps: HttpDeps;
  page: StatusPageDeps;
  csrfToken: string;
}

/**
 * Security headers for the page: nothing but the agent's own files may run or load (a strict CSP
 * also keeps an injected device name from ever becoming script), and no other site may frame the
 * page to trick a click on "check now".
 */
const pageHeaders = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/** `/` and `/ui/*`: the page and its files. Public (they hold no data); the data comes from the API. */
export const statusPageFiles: FastifyPluginAsync<StatusPageOptions> = async (app, { deps, csrfToken }) => {
  const assets = loadAssets();
  const template = assets.get('assets/index.html')!.body.toString('utf8');
  const version = [...assets.values()].map((a) => a.etag).join('').replace(/\W/g, '').slice(0, 12);

  app.get('/', async (request, reply) => {
    const lang = localeFromAcceptLanguage(request.headers['accept-language']);
    const html = template.replaceAll('{{lang}}', lang).replaceAll('{{csrf}}', csrfToken).replaceAll('{{v}}', version)
      // Whether to ask for the token before the first request (a 401 would be a console error).
      .replaceAll('{{auth}}', deps.token === null ? 'none' : 'token');
    return reply.headers(pageHeaders).header('cache-control', 'no-store').header('vary', 'accept-language').type('text/html; charset=utf-8').send(html);
  });

  const serve = (asset: Asset) => async (request: FastifyRequest, reply: FastifyReply) => {
    reply.headers(pageHeaders).header('etag', asset.etag).header('cache-control', 'no-cache').header('vary', 'accept-encoding').type(asset.type);
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    if (/\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) return reply.header('content-encoding', 'gzip').send(asset.gzip);
    return reply.send(asset.body);
  };
  for (const [file, asset] of assets) {
    if (file === 'assets/index.html') continue;
    app.get(`/ui/${file.replace(/^assets\//, '')}`, serve(asset));
  }
};

/** The page's data: live events, history, check now, support bundle. Inside the bearer-token scope. */
export const statusPageApi: FastifyPluginAsync<StatusPageOptions> = async (app, { deps, page, csrfToken }) => {
  const snapshot = (): FeedSnapshot => {
    const document = statusDocument(
      { devices: deps.health.allDevices(), network: deps.paths.network(), host: deps.paths.host(), alerts: deps.alerts?.() },
      deps.now(),
    );
    const view = pageView(document, {
      stateSince: (subject) => page.stateSince(subject),
      networkTargets: page.networkTargets,
      startedAt: deps.startedAt.toISOString(),
    });
    return { document, view };
  };
  const feed = new StatusFeed({
    snapshot,
    subscribe(onChange) {
      deps.health.on('change', onChange);
      deps.paths.on('change', onChange);
      return () => {
        deps.health.off('change', onChange);
        deps.paths.off('change', onChange);
      };
    },
    heartbeatMs: page.heartbeatMs ?? 15_000,
    refreshMs: 15_000,
    version: deps.version,
  });
  // Open event streams would keep the server from closing: end them first.
  app.addHook('preClose', async () => feed.close());

  app.get('/api/v1/events', (request, reply) => {
    reply.hijack();
    feed.attach(reply.raw);
  });

  app.get('/api/v1/history', async () => historyView(page.history(deps.now()), deps.startedAt.toISOString()));

  app.post('/api/v1/check', { onRequest: stateChangeGuard(csrfToken) }, async () => {
    const started = deps.now();
    await page.checkNow();
    const { document } = snapshot();
    feed.push();
    return { startedAt: started.toISOString(), finishedAt: deps.now().toISOString(), status: document };
  });

  app.get('/api/v1/bundle', async (request, reply) => {
    const bundle = page.bundle();
    const download = (request.query as { download?: string }).download !== undefined;
    if (download) reply.header('content-disposition', `attachment; filename="${bundleFileName(deps.now())}"`);
    return reply.header('cache-control', 'no-store').send(bundle);
  });
};
