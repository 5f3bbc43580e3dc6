import './define.js';

export { ChatWidget } from './chat-widget.js';
export * from './events.js';
export type * from './types.js';
export type { Strings } from './i18n/en.js';
