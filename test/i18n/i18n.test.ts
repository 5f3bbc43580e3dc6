import { loaderStrings } from '../../src/loader/strings.js';
import { expect } from '@open-wc/testing';
import { en } from '../../src/i18n/en.js';
import {
  catalogues,
  format,
  isRtl,
  languages,
  resolveLanguage,
  stringsFor,
} from '../../src/i18n/index.js';
import type { Strings } from '../../src/i18n/index.js';

// Mocha's globals, typed here because the project has no @types/mocha (module-scoped, so
// they simply shadow the global declarations should those be added later).
declare const describe: (title: string, body: () => void) => void;
declare const it: (title: string, body: () => void | Promise<void>) => void;

const placeholders = (text: string): string[] =>
  [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '').sort();

const enKeys = Object.keys(en).sort();

describe('i18n catalogues', () => {
  it('has the six built-in languages', () => {
    expect([...languages].sort()).to.deep.equal(['ar', 'de', 'en', 'es', 'fr', 'ja']);
    expect(catalogues.en).to.equal(en);
  });

  for (const [language, strings] of Object.entries(catalogues)) {
    describe(language, () => {
      it('has exactly the keys of en, each a non-empty string', () => {
        expect(Object.keys(strings).sort()).to.deep.equal(enKeys);
        for (const [key, value] of Object.entries(strings)) {
          expect(value, key).to.be.a('string');
          expect((value as string).trim(), key).to.not.equal('');
        }
      });

      it('keeps the placeholders of en for every key', () => {
        for (const key of enKeys) {
          const value = (strings as Record<string, string>)[key] ?? '';
          const source = (en as Record<string, string>)[key] ?? '';
          expect(placeholders(value), key).to.deep.equal(placeholders(source));
        }
      });

      it('keeps the ellipsis character style', () => {
        for (const key of enKeys) {
          const value = (strings as Record<string, string>)[key] ?? '';
          const source = (en as Record<string, string>)[key] ?? '';
          expect(value, key).to.not.include('...');
          if (source.includes('…')) expect(value, key).to.include('…');
        }
      });
    });
  }

  it('translates Japanese and Arabic into their own scripts', () => {
    const japanese = /[\u3040-\u30ff\u4e00-\u9fff]/;
    const arabic = /[\u0600-\u06ff]/;
    for (const key of enKeys) {
      const source = (en as Record<string, string>)[key] ?? '';
      if (source === '{reason}') continue;
      expect((catalogues.ja as Record<string, string>)[key], key).to.match(japanese);
      expect((catalogues.ar as Record<string, string>)[key], key).to.match(arabic);
    }
  });
});

describe('resolveLanguage', () => {
  it('matches an exact tag', () => {
    expect(resolveLanguage(['fr'])).to.equal('fr');
    expect(resolveLanguage(['ja', 'en'])).to.equal('ja');
  });

  it('falls back from a region or script to the primary subtag', () => {
    expect(resolveLanguage(['es-MX'])).to.equal('es');
    expect(resolveLanguage(['de-CH'])).to.equal('de');
    expect(resolveLanguage(['ar-EG'])).to.equal('ar');
    expect(resolveLanguage(['fr-Latn-CA'])).to.equal('fr');
    expect(resolveLanguage(['ja_JP'])).to.equal('ja');
  });

  it('is case-insensitive and ignores surrounding space', () => {
    expect(resolveLanguage(['DE'])).to.equal('de');
    expect(resolveLanguage(['Es-mx'])).to.equal('es');
    expect(resolveLanguage(['  AR-sa '])).to.equal('ar');
  });

  it('skips unsupported and empty candidates in priority order', () => {
    expect(resolveLanguage(['zh', 'de-AT', 'fr'])).to.equal('de');
    expect(resolveLanguage(['', null, undefined, '   ', 'pt-BR', 'ja'])).to.equal('ja');
    expect(resolveLanguage([null, 'es'])).to.equal('es');
    expect(resolveLanguage(['english', 'es'])).to.equal('es');
  });

  it('prefers an earlier candidate matched by primary subtag over a later exact one', () => {
    expect(resolveLanguage(['es-AR', 'fr'])).to.equal('es');
  });

  it('falls back to en', () => {
    expect(resolveLanguage([])).to.equal('en');
    expect(resolveLanguage(['zh-CN', 'ko', '', null])).to.equal('en');
    expect(resolveLanguage(['en-GB'])).to.equal('en');
  });
});

describe('isRtl', () => {
  it('is true for right-to-left languages, with or without a region', () => {
    for (const tag of ['ar', 'he', 'iw', 'fa', 'ur', 'ps', 'sd', 'ug', 'yi', 'dv', 'ckb']) {
      expect(isRtl(tag), tag).to.equal(true);
    }
    expect(isRtl('ar-EG')).to.equal(true);
    expect(isRtl('HE-il')).to.equal(true);
    expect(isRtl('fa_IR')).to.equal(true);
  });

  it('is false for left-to-right languages and empty input', () => {
    for (const tag of ['en', 'es', 'fr', 'de', 'ja', 'zh-Hant', 'arn', 'hi', '']) {
      expect(isRtl(tag), tag).to.equal(false);
    }
  });

  it('follows an explicit script subtag', () => {
    expect(isRtl('az-Arab')).to.equal(true);
    expect(isRtl('pa-Arab-PK')).to.equal(true);
    expect(isRtl('ks-Deva')).to.equal(false);
    expect(isRtl('ug-Cyrl')).to.equal(false);
  });
});

describe('stringsFor', () => {
  it('gives the chosen catalogue with its direction', () => {
    const french = stringsFor(['fr-CA']);
    expect(french.language).to.equal('fr');
    expect(french.dir).to.equal('ltr');
    expect(french.strings).to.deep.equal(catalogues.fr);

    const arabic = stringsFor([null, 'ar']);
    expect(arabic.language).to.equal('ar');
    expect(arabic.dir).to.equal('rtl');
    expect(arabic.strings.send).to.equal(catalogues.ar.send);

    expect(stringsFor(['zh']).language).to.equal('en');
  });

  it('returns a fresh object that does not alias the catalogue', () => {
    const { strings } = stringsFor(['de']);
    expect(strings).to.not.equal(catalogues.de);
    strings.send = 'changed';
    expect(catalogues.de.send).to.equal('Senden');
  });

  it('lays known string overrides over the catalogue', () => {
    const { strings } = stringsFor(['es'], { heading: 'Soporte', send: 'Mandar' });
    expect(strings.heading).to.equal('Soporte');
    expect(strings.send).to.equal('Mandar');
    expect(strings.placeholder).to.equal(catalogues.es.placeholder);
    expect(catalogues.es.heading).to.equal('Chat');
  });

  it('ignores unknown keys and values that are not strings', () => {
    const overrides = {
      heading: 42,
      send: null,
      retry: undefined,
      dismiss: { text: 'x' },
      madeUp: 'nope',
      toString: 'nope',
      copy: 'Copiar',
    } as unknown as Partial<Strings>;
    const { strings } = stringsFor(['es'], overrides);
    expect(strings.heading).to.equal(catalogues.es.heading);
    expect(strings.send).to.equal(catalogues.es.send);
    expect(strings.retry).to.equal(catalogues.es.retry);
    expect(strings.dismiss).to.equal(catalogues.es.dismiss);
    expect(strings.copy).to.equal('Copiar');
    expect(Object.keys(strings).sort()).to.deep.equal(enKeys);
  });

  it('ignores inherited properties and missing overrides', () => {
    const inherited = Object.create({ heading: 'inherited' }) as Partial<Strings>;
    expect(stringsFor(['fr'], inherited).strings.heading).to.equal(catalogues.fr.heading);
    expect(stringsFor(['fr'], undefined).strings).to.deep.equal(catalogues.fr);
    expect(stringsFor(['fr'], null).strings).to.deep.equal(catalogues.fr);
  });
});

describe('format with translated strings', () => {
  it('fills placeholders in a translation', () => {
    expect(format(catalogues.es, 'personTyping', { name: 'Ana' })).to.equal(
      'Ana está escribiendo…',
    );
    expect(format(catalogues.ja, 'tooLong', { length: 1200, max: 1000 })).to.equal(
      'メッセージが1200文字あります（上限は1000文字）。送信するには短くしてください。',
    );
    const { strings } = stringsFor(['ar']);
    expect(format(strings, 'personJoined', { name: 'x' })).to.equal('انضم x إلى الدردشة.');
  });
});

describe("the loader's words", () => {
  it("are the catalogues' own, in every language", () => {
    for (const [language, [openChat, loadFailed]] of Object.entries(loaderStrings)) {
      const catalogue = catalogues[language as keyof typeof catalogues];
      expect([openChat, loadFailed], language).to.deep.equal([
        catalogue.openChat,
        catalogue.loadFailed,
      ]);
    }
    expect(Object.keys(loaderStrings).sort()).to.deep.equal(Object.keys(catalogues).sort());
  });
});
