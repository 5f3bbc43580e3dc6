/**
 * The loader's own words, in the widget's six languages: its launcher's name and what it says
 * when the widget cannot load. The same texts as the widget's catalogues (a test holds them
 * equal); the loader carries only these, not the catalogues.
 */
export const loaderStrings = {
  en: ['Open chat', 'The chat could not load. Check your connection and try again.'],
  es: ['Abrir chat', 'No se pudo cargar el chat. Revisa tu conexión e inténtalo de nuevo.'],
  fr: [
    'Ouvrir la discussion',
    'La discussion n’a pas pu se charger. Vérifiez votre connexion et réessayez.',
  ],
  de: [
    'Chat öffnen',
    'Der Chat konnte nicht geladen werden. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.',
  ],
  ja: [
    'チャットを開く',
    'チャットを読み込めませんでした。接続を確認して、もう一度お試しください。',
  ],
  ar: ['فتح الدردشة', 'تعذّر تحميل المحادثة. تحقّق من اتصالك وحاول مرة أخرى.'],
} as const;

export type LoaderLanguage = keyof typeof loaderStrings;
