import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { localeFromAcceptLanguage } from '../../../../src/http/ui/locale.js';

const ui = (file: string) => readFileSync(new URL(`../../../../src/http/ui/${file}`, import.meta.url), 'utf8');
const en = JSON.parse(ui('messages/en.json')) as Record<string, string>;
const zh = JSON.parse(ui('messages/zh-CN.json')) as Record<string, string>;
const scripts = ['assets/app.js', 'assets/render.js', 'assets/charts.js'].map(ui).join('\n');
const html = ui('assets/index.html');

describe('message files', () => {
  it('have the same keys, each with text, and the same placeholders', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(en)) {
      expect(text.trim(), key).not.toBe('');
      expect(zh[key]!.trim(), key).not.toBe('');
      const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect(placeholders(zh[key]!), key).toEqual(placeholders(text));
    }
  });

  it('hold every key the page script and the markup ask for', () => {
    const literal = [...scripts.matchAll(/\bt\('([\w.-]+)'/g)].map((m) => m[1]!);
    const markup = [...html.matchAll(/data-i18n="([\w.-]+)"/g)].map((m) => m[1]!);
    // Keys built from a value: every value they can take.
    const built = [
      ...['ok', 'attention', 'fault', 'unknown'].map((s) => `state.${s}`),
      ...['printer', 'terminal', 'device', 'network', 'host'].map((k) => `kind.${k}`),
      ...['critical', 'warning', 'info'].map((s) => `severity.${s}`),
      ...['service_provider', 'internet_provider', 'acquirer'].map((c) => `contact.${c}`),
      // Built by the view (src/http/ui/page-view.ts) from the failing network layer.
      ...['link', 'gateway', 'dns', 'tcp', 'tls', 'http', 'other'].map((l) => `value.target.down.${l}`),
    ];
    expect(literal.length).toBeGreaterThan(15);
    for (const key of [...literal, ...markup, ...built]) expect(en[key], key).toBeDefined();
  });

  it('leave no words in the markup: every text comes from a message file', () => {
    const body = html.slice(html.indexOf('<body>'));
    const text = body.replace(/<[^>]+>/g, '').trim();
    expect(text).toBe('');
    expect(html).toMatch(/<html lang="\{\{lang\}\}">/);
  });

  it('load nothing from another site', () => {
    for (const source of [html, scripts, ui('assets/style.css')]) expect(source).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });
});

describe('localeFromAcceptLanguage', () => {
  it.each([
    [undefined, 'en'],
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN'],
    ['zh', 'zh-CN'],
    ['zh-Hans-CN', 'zh-CN'],
    ['en-US,en;q=0.9', 'en'],
    ['en;q=0.5,zh-CN;q=0.9', 'zh-CN'],
    ['zh-TW,en;q=0.8', 'en'],
    ['de-DE,fr;q=0.9', 'en'],
    ['*', 'en'],
  ])('%s → %s', (header, locale) => {
    expect(localeFromAcceptLanguage(header)).toBe(locale);
  });
});
