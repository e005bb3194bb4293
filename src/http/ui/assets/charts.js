// The 24-hour charts, drawn as inline SVG from the positions the agent computed (src/history/view.ts):
// a state timeline and response-time bars. No chart library: rectangles only.
const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 300;

function svg(className, height, label) {
  const element = document.createElementNS(SVG, 'svg');
  element.setAttribute('class', className);
  element.setAttribute('viewBox', `0 0 ${WIDTH} ${height}`);
  element.setAttribute('preserveAspectRatio', 'none');
  element.setAttribute('role', 'img');
  element.setAttribute('aria-label', label);
  return element;
}

/** Coloured segments, one per state; the label reads the last few changes out for screen readers. */
export function timelineChart(history, ui) {
  const recent = history.segments.slice(-4).map((s) => ui.t('chart.timelineSegment', { state: ui.t(`state.${s.state}`), from: ui.time(s.from), to: ui.time(s.to) }));
  const chart = svg('timeline', 10, ui.t('chart.timeline', { summary: recent.join('; ') }));
  for (const segment of history.segments) {
    chart.append(rect(`s-${segment.state}`, (segment.x0 * WIDTH).toFixed(2), '0', Math.max(0.5, (segment.x1 - segment.x0) * WIDTH).toFixed(2), '10'));
  }
  return chart;
}

/** Average response time per minute as bars; minutes with unanswered polls as red marks along the bottom. */
export function latencyChart(history, ui) {
  const { scaleMs, points } = history.latency;
  const answered = points.filter((p) => p.avgMs > 0);
  const label = answered.length ? ui.t('chart.latency', { max: Math.round(Math.max(...answered.map((p) => p.maxMs))) }) : ui.t('chart.latencyEmpty');
  const height = 50;
  const chart = svg('latency', height, label);
  for (const point of points) {
    const x = (point.x * WIDTH).toFixed(2);
    const width = Math.max(0.6, point.w * WIDTH - 0.3).toFixed(2);
    if (point.avgMs > 0) {
      const barHeight = Math.max(1, (Math.min(point.avgMs, scaleMs) / scaleMs) * (height - 4));
      chart.append(rect('bar', x, (height - barHeight).toFixed(2), width, barHeight.toFixed(2)));
    }
    if (point.failures > 0) chart.append(rect('miss', x, String(height - 4), width, '4'));
  }
  return { chart, scaleMs };
}

function rect(className, x, y, width, height) {
  const element = document.createElementNS(SVG, 'rect');
  element.setAttribute('class', className);
  element.setAttribute('x', x);
  element.setAttribute('y', y);
  element.setAttribute('width', width);
  element.setAttribute('height', height);
  return element;
}
