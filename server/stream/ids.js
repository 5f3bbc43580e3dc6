import { randomBytes } from 'node:crypto';

/** A message's id in a `stream` conversation, whoever wrote it. */
export function newMessageId() {
  return `msg_${randomBytes(9).toString('base64url')}`;
}

/** A socket's id, unique on every process: the store names sockets of any process by it. */
export function newSocketId() {
  return `s_${randomBytes(9).toString('base64url')}`;
}
