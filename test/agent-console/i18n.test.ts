import { expect } from '@open-wc/testing';
import { catalogues, localize } from '../../apps/agent-console/i18n/index.js';
import { en } from '../../apps/agent-console/i18n/en.js';
import { languages as widgetLanguages } from '../../src/i18n/index.js';

const placeholders = (text: string): string[] =>
  [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '').sort();

describe('agent console: its strings', () => {
  it('come in the widget’s six languages, each with every key and the same placeholders', () => {
    expect(Object.keys(catalogues).sort()).to.deep.equal([...widgetLanguages].sort());
    for (const [language, strings] of Object.entries(catalogues)) {
      expect(Object.keys(strings).sort(), language).to.deep.equal(Object.keys(en).sort());
      for (const [key, text] of Object.entries(strings)) {
        expect(text.trim(), `${language}.${key}`).to.not.equal('');
        expect(placeholders(text), `${language}.${key}`).to.deep.equal(
          placeholders(en[key as keyof typeof en]),
        );
      }
    }
  });

  it('are chosen by the widget’s rules: first match wins, by primary subtag, else English', () => {
    expect(localize(['', 'es-MX', 'de']).language).to.equal('es');
    expect(localize(['zh-CN', 'FR-ca']).language).to.equal('fr');
    expect(localize(['zh']).language).to.equal('en');
    expect(localize(['ar']).dir).to.equal('rtl');
    expect(localize(['ja']).dir).to.equal('ltr');
  });

  it('say how long ago, and join names, in the language', () => {
    const english = localize(['en']);
    const now = Date.parse('2025-01-01T12:00:00Z');
    expect(english.elapsed('2025-01-01T11:59:30Z', now)).to.equal('under a minute');
    expect(english.elapsed('2025-01-01T10:40:00Z', now)).to.equal('1 h 20 min');
    expect(english.list(['Maya', 'Sam'])).to.equal('Maya and Sam');
    expect(localize(['de']).t('typingMany', { names: localize(['de']).list(['A', 'B']) })).to.equal(
      'A und B schreiben…',
    );
    expect(english.text({ raw: 'As the server said' })).to.equal('As the server said');
  });
});
