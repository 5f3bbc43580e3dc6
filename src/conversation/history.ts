import type { Connection } from '../connection/connection.js';
import type { ProtocolAdapter, WireMessage } from '../protocols/types.js';

/** Pages of earlier messages, newest first, where the backend keeps paged history. */
export class HistoryPager {
  #cursor: string | undefined;
  #loading = false;
  #done = false;

  /** Nothing was loaded yet, and there may be something to load. */
  get untouched(): boolean {
    return !this.#done && this.#cursor === undefined;
  }

  /**
   * The next older page, or undefined when there is none, none is available from this backend,
   * or a request is already under way. `ready`: the connection has been greeted, so an exhausted
   * history is final. Rejects when the request fails; the next call tries the same page again.
   */
  async older(
    adapter: ProtocolAdapter,
    connection: Connection,
    ready: boolean,
  ): Promise<WireMessage[] | undefined> {
    if (!adapter.historyRequest || this.#loading) return undefined;
    if (ready && this.#cursor === undefined && this.#done) return undefined;
    const spec = adapter.historyRequest(connection.context, this.#cursor);
    if (!spec) return undefined;
    this.#loading = true;
    try {
      const page = spec.read(await connection.request(spec.request));
      this.#cursor = page.before;
      this.#done = page.before === undefined;
      return page.messages;
    } finally {
      this.#loading = false;
    }
  }
}
