/** What visitors are told about reaching a person (stream/texts.js: the bot's side). */
import { MAX_CONTENT_LENGTH } from '../platform/limits/messages.js';

export const TEXTS = Object.freeze({
  queued:
    'You are in the queue for a person from our team. They will see this conversation when ' +
    'they join; until then the assistant keeps answering.',
  alreadyQueued: 'You are already in the queue; a person will join as soon as one is free.',
  /** @param {string} name */
  alreadyAssigned: (name) => `${name} from our team is already with you in this chat.`,
  nobodyOnline:
    'Nobody from our team is online right now. You can leave a message for them, and the ' +
    'assistant keeps answering here.',
  /** @param {string} label */
  outsideHours: (label) =>
    `Our team answers chats ${label}. You can leave a message for them, and the assistant ` +
    'keeps answering here.',
  invalidEmail: 'Please give an email address we can answer to',
  invalidLeftMessage: `The message must be 1-${MAX_CONTENT_LENGTH} characters`,
  tooManyLeftMessages: 'Too many messages left, please try again later',
});
