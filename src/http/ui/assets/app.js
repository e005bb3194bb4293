// The status page: picks the language, listens to the agent's event stream, renders what it
// sends, and runs the two actions. Rendering lives in render.js; what to show is decided by the
// agent (src/http/ui/page-view.ts), so this file is only wiring.
import { renderActions, renderCards, renderOverall, setText } from './render.js';

const LOCALES = ['zh-CN', 'en'];
const csrf = document.querySelector('meta[name="posdiag-csrf"]').content;
const needsToken = document.querySelector('meta[name="posdiag-auth"]').content === 'token';
const state = { view: null, version: '', history: { from: null, subjects: new Map() }, historyAt: 0, lostSince: null, heartbeatMs: 15000 };
const ui = { locale: 'en', messages: {}, t, time, ago };

class TokenRequired extends Error {}

// ---- language -------------------------------------------------------------------------------
function pickLocale() {
  const saved = localStorage.getItem('posdiag.locale');
  if (LOCALES.includes(saved)) return saved;
  for (const tag of navigator.languages?.length ? navigator.languages : [navigator.language]) {
    const lower = String(tag).toLowerCase();
    if (lower.startsWith('zh') && !/^zh-(tw|hk|mo|hant)/.test(lower)) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

async function useLocale(locale) {
  const response = await fetch(`/ui/messages/${locale}.json`);
  ui.messages = await response.json();
  ui.locale = locale;
  document.documentElement.lang = locale;
  document.getElementById('lang').value = locale;
  document.title = t('page.title');
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  renderAll();
}

function t(key, params = {}) {
  const text = ui.messages[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

function time(iso) {
  const date = new Date(iso);
  const sameDay = date.toDateString() === new Date().toDateString();
  const options = sameDay ? { hour: '2-digit', minute: '2-digit', second: '2-digit' } : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' };
  return new Intl.DateTimeFormat(ui.locale, options).format(date);
}

function ago(iso) {
  const seconds = Math.round((Date.parse(iso) - Date.now()) / 1000);
  if (Math.abs(seconds) < 45) return t('time.justNow');
  const format = new Intl.RelativeTimeFormat(ui.locale, { numeric: 'auto' });
  if (Math.abs(seconds) < 3600) return format.format(Math.round(seconds / 60), 'minute');
  if (Math.abs(seconds) < 86400) return format.format(Math.round(seconds / 3600), 'hour');
  return format.format(Math.round(seconds / 86400), 'day');
}

// ---- access token (only when the agent has http.token) ---------------------------------------
function takeTokenFromAddress() {
  const match = /^#token=(.+)$/.exec(location.hash);
  if (!match) return;
  sessionStorage.setItem('posdiag.token', decodeURIComponent(match[1]));
  // The token must not stay in the address bar, the history or a bookmark.
  history.replaceState(null, '', location.pathname + location.search);
}

function headers(extra = {}) {
  const token = sessionStorage.getItem('posdiag.token');
  return token ? { ...extra, authorization: `Bearer ${token}` } : extra;
}

function askForToken(wrong) {
  const form = document.getElementById('token-form');
  form.hidden = false;
  document.getElementById('token-error').textContent = wrong ? t('token.wrong') : '';
  document.getElementById('token').focus();
}

// ---- rendering -------------------------------------------------------------------------------
function renderAll() {
  renderLive();
  if (!state.view) return;
  renderOverall(ui, state.view);
  renderCards(ui, state.view, state.history);
  renderActions(ui, state.view);
  document.getElementById('version').textContent = state.version ? t('footer.version', { version: state.version }) : '';
  document.getElementById('updated').textContent = t('footer.updated', { time: time(state.view.generatedAt) });
}

function renderLive() {
  const live = document.getElementById('live');
  live.classList.toggle('lost', state.lostSince !== null);
  setText(live, state.lostSince !== null ? t('live.lost', { time: time(state.lostSince) }) : state.view ? t('live.ok') : t('live.connecting'));
}

async function refreshHistory(force = false) {
  if (!force && Date.now() - state.historyAt < 15000) return;
  state.historyAt = Date.now();
  const response = await fetch('/api/v1/history', { headers: headers() });
  if (!response.ok) return;
  const body = await response.json();
  state.history = { from: body.from, subjects: new Map(body.subjects.map((s) => [s.subject, s])) };
  renderAll();
}

// ---- the event stream ------------------------------------------------------------------------
// fetch() rather than EventSource: EventSource cannot send the Authorization header.
async function readEvents(signal, onActivity, onEvent) {
  const response = await fetch('/api/v1/events', { headers: headers({ accept: 'text/event-stream' }), signal, cache: 'no-store' });
  if (response.status === 401) throw new TokenRequired();
  if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    onActivity();
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length) onEvent(event, JSON.parse(data.join('\n')));
    }
  }
}

function onEvent(event, data) {
  if (event === 'hello') {
    state.heartbeatMs = data.heartbeatMs;
    state.version = data.version;
  }
  if (event === 'view') {
    // A state changed: the timelines must show it now, not at the next periodic refresh.
    const states = (view) => view?.cards.map((c) => `${c.subject}=${c.state}`).join() ?? '';
    const changed = states(state.view) !== states(data);
    state.view = data;
    state.lostSince = null;
    renderAll();
    refreshHistory(changed).catch(() => {});
  }
}

async function stayConnected() {
  let delay = 1000;
  for (;;) {
    const controller = new AbortController();
    let watchdog;
    // No byte for well over a heartbeat: the agent (or the network to it) is gone.
    const kick = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => controller.abort(), state.heartbeatMs * 2.5);
    };
    try {
      kick();
      await readEvents(controller.signal, () => {
        kick();
        delay = 1000;
      }, onEvent);
    } catch (error) {
      if (error instanceof TokenRequired) {
        clearTimeout(watchdog);
        askForToken(sessionStorage.getItem('posdiag.token') !== null);
        return;
      }
    } finally {
      clearTimeout(watchdog);
    }
    if (state.lostSince === null) state.lostSince = new Date().toISOString();
    renderLive();
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 10000);
  }
}

// ---- actions ---------------------------------------------------------------------------------
async function checkNow(button) {
  const result = document.getElementById('action-result');
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.textContent = t('button.checking');
  try {
    const response = await fetch('/api/v1/check', {
      method: 'POST',
      headers: headers({ 'content-type': 'application/json', 'x-posdiag-csrf': csrf }),
      body: '{}',
    });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error?.message ?? `HTTP ${response.status}`);
    const overall = { ok: 'ok', degraded: 'attention', down: 'fault', unknown: 'unknown' }[body.status.overall];
    result.textContent = t('check.done', { time: time(body.finishedAt), state: t(`state.${overall}`) });
    result.dataset.overall = overall;
    refreshHistory(true).catch(() => {});
  } catch (error) {
    result.textContent = t('check.failed', { error: error.message });
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.textContent = t('button.check');
  }
}

async function downloadBundle(button) {
  const result = document.getElementById('action-result');
  button.disabled = true;
  button.textContent = t('button.bundleBusy');
  try {
    const response = await fetch('/api/v1/bundle?download', { headers: headers() });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const file = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'posdiag-bundle.json';
    const url = URL.createObjectURL(await response.blob());
    const link = Object.assign(document.createElement('a'), { href: url, download: file });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    result.textContent = t('bundle.done', { file });
  } catch (error) {
    result.textContent = t('bundle.failed', { error: error.message });
  } finally {
    button.disabled = false;
    button.textContent = t('button.bundle');
  }
}

// ---- start -----------------------------------------------------------------------------------
async function start() {
  takeTokenFromAddress();
  await useLocale(pickLocale());
  document.getElementById('lang').addEventListener('change', (event) => {
    localStorage.setItem('posdiag.locale', event.target.value);
    useLocale(event.target.value);
  });
  document.getElementById('check').addEventListener('click', (event) => checkNow(event.currentTarget));
  document.getElementById('bundle').addEventListener('click', (event) => downloadBundle(event.currentTarget));
  document.getElementById('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem('posdiag.token', document.getElementById('token').value);
    event.currentTarget.hidden = true;
    stayConnected();
  });
  // Keep "since … (5 minutes ago)" and the history current while nothing else changes.
  setInterval(() => {
    renderAll();
    refreshHistory().catch(() => {});
  }, 60000);
  if (needsToken && !sessionStorage.getItem('posdiag.token')) askForToken(false);
  else stayConnected();
}

start();
