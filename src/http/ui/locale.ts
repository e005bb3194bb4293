import type { Locale } from '../../runbooks/catalogue.js';

/**
 * The page's language from an Accept-Language header: Simplified Chinese for any `zh` that is
 * not explicitly Traditional (zh-TW, zh-HK, zh-Hant get English rather than the wrong script),
 * English otherwise. Quality values are honoured; ties keep the header's order.
 */
export function localeFromAcceptLanguage(header: string | undefined): Locale {
  if (!header) return 'en';
  const ranges = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: tag.trim().toLowerCase(), q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((r) => r.tag && Number.isFinite(r.q) && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranges) {
    if (tag === 'zh' || tag.startsWith('zh-')) {
      if (/^zh-(tw|hk|mo|hant)/.test(tag)) continue;
      return 'zh-CN';
    }
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
  }
  return 'en';
}
