/**
 * The largest WebSocket frame any socket accepts. ws closes the socket with 1009 ("message too
 * big") as soon as a frame's header announces more, before buffering it, so a client cannot make
 * the server hold megabytes for a message that would be refused anyway.
 *
 * The largest valid client frame of any protocol is a chat of 2000 characters (at most 6 bytes
 * each once JSON-escaped) with a metadata object of at most 2000 serialized characters (at most
 * 3 bytes each in UTF-8): under 20 KiB with its other fields. The bounds keep every valid frame
 * acceptable whatever is configured.
 */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
export const MIN_MAX_FRAME_BYTES = 32 * 1024;
export const MAX_MAX_FRAME_BYTES = 16 * 1024 * 1024;
