// Turns the agent's page view (src/http/ui/page-view.ts) into DOM. Every word comes from the
// message files through ui.t(), or is data (device names, runbook texts in the chosen language);
// text is always set with textContent, never parsed as HTML.
import { latencyChart, timelineChart } from './charts.js';

function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') element.textContent = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...children.filter(Boolean));
  return element;
}

/** Sets text only when it changed: a live region re-announces every write to a screen reader. */
export function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

/** A message, a localized text pair, or plain data, as a string in the page's language. */
export function say(ui, value) {
  if (!value) return '';
  if ('localized' in value) return value.localized[ui.locale] ?? value.localized.en;
  if ('key' in value) return ui.t(value.key, value.params && params(ui, value.params));
  if ('time' in value) return ui.time(value.time);
  if ('ms' in value) return `${Math.round(value.ms)} ms`;
  if ('text' in value) return value.text;
  return '';
}

/** Message parameters as text: a `{ time }` one in the page's language and the browser's time zone. */
function params(ui, values) {
  const out = {};
  for (const [name, value] of Object.entries(values)) out[name] = value !== null && typeof value === 'object' ? say(ui, value) : value;
  return out;
}

export function renderOverall(ui, view) {
  const overall = document.getElementById('overall');
  overall.className = `overall s-${view.overall}`;
  setText(document.getElementById('overall-state'), ui.t(`state.${view.overall}`));
  setText(document.getElementById('headline'), say(ui, view.headline));
}

function cardTitle(ui, card) {
  return card.name ?? ui.t(`kind.${card.kind}`);
}

export function renderCards(ui, view, history) {
  const container = document.getElementById('cards');
  const cards = view.cards.map((card, index) => {
    const titleId = `card-${index}-title`;
    const since = card.since ? ui.t('card.sinceRelative', { time: ui.time(card.since), ago: ui.ago(card.since) }) : '';
    const head = el(
      'div',
      { class: 'card-head' },
      el('h2', { id: titleId }, el('span', { class: 'kind', text: ui.t(`kind.${card.kind}`) }), card.name ? document.createTextNode(card.name) : null),
      card.simulated ? el('span', { class: 'tag', title: ui.t('card.simulatedHint'), text: ui.t('card.simulated') }) : null,
    );
    const facts = el('dl', { class: 'facts' });
    for (const fact of card.facts) {
      facts.append(el('dt', { class: fact.bad ? 'bad' : null, text: say(ui, fact.label) }), el('dd', { class: fact.bad ? 'bad' : null, text: say(ui, fact.value) }));
    }
    return el(
      'article',
      { class: `card s-${card.state}`, 'aria-labelledby': titleId, 'data-subject': card.subject, 'data-state': card.state },
      head,
      el('p', { class: `badge s-${card.state}`, text: card.badge ? say(ui, card.badge) : ui.t(`state.${card.state}`) }),
      since ? el('p', { class: 'since', text: since }) : null,
      el('p', { class: 'summary', text: say(ui, card.summary) }),
      card.note ? el('p', { class: 'note', text: say(ui, card.note) }) : null,
      card.facts.length ? facts : null,
      historyFigure(ui, history.subjects.get(card.subject), history.from),
    );
  });
  container.replaceChildren(...cards);

}

function historyFigure(ui, history, from) {
  const figure = el('figure', { class: 'history' }, el('figcaption', { text: ui.t('card.history') }));
  if (!history || history.segments.length === 0) {
    figure.append(el('p', { class: 'since', text: ui.t('card.historyEmpty') }));
    return figure;
  }
  figure.append(timelineChart(history, ui));
  const { chart, scaleMs } = latencyChart(history, ui);
  if (history.latency.points.length) {
    figure.append(el('div', { class: 'axis', 'aria-hidden': 'true' }, el('span', { text: `${scaleMs} ms` })), chart);
  }
  figure.append(el('div', { class: 'axis', 'aria-hidden': 'true' }, el('span', { text: from && Date.now() - Date.parse(from) < 23.5 * 3600_000 ? ui.t('chart.since', { time: ui.time(from) }) : ui.t('chart.hoursAgo') }), el('span', { text: ui.t('chart.now') })));
  return figure;
}

export function renderActions(ui, view) {
  const list = document.getElementById('action-list');
  if (view.actions.length === 0) {
    list.replaceChildren(el('p', { text: ui.t('actions.none') }));
    return;
  }
  list.replaceChildren(
    ...view.actions.map((action) => {
      const subject = action.subject.kind === 'network' || action.subject.kind === 'host' ? ui.t(`kind.${action.subject.kind}`) : action.subject.name;
      const title = `${ui.t(`severity.${action.severity}`)}: ${action.title[ui.locale] ?? action.title.en}`;
      return el(
        'article',
        { class: `runbook ${action.severity}`, 'data-condition': action.condition },
        el('h3', { text: title }),
        el('p', { class: 'about', text: ui.t('actions.about', { subject, time: ui.time(action.since) }) }),
        el('p', { text: ui.t('actions.steps') }),
        el('ol', {}, ...(action.steps[ui.locale] ?? action.steps.en).map((step) => el('li', { text: step }))),
        el('p', { text: ui.t('actions.prepare', { contact: ui.t(`contact.${action.contact}`) }) }),
        el('ul', {}, ...(action.prepare[ui.locale] ?? action.prepare.en).map((item) => el('li', { text: item }))),
      );
    }),
    el('p', { class: 'about', text: ui.t('actions.bundleHint') }),
  );
}
