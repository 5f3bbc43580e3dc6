/** What the `stream` endpoint says to visitors in its own words (support/texts.js: a person's). */
export const TEXTS = Object.freeze({
  // stream.md's own text, for clients that know nothing else.
  strictEscalation: 'A human agent will contact you soon.',
  typing: 'AI is thinking...',
  busy: 'Too many messages at once, please wait for the current reply',
  replyFailed: 'Could not get a reply, please try again',
  unanswered: 'This message was not answered while you were away; sending it again',
  streamFailed: 'Stream error occurred',
});
