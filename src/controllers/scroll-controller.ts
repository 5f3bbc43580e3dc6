/**
 * Keeps the newest message in view while the user is at the bottom, and leaves
 * them alone when they scrolled up to read (then `unseen` says new messages wait below).
 *
 * Heights change outside Lit's updates (streamed markdown growing, images
 * loading, `content-visibility` swapping placeholder sizes for real ones), so
 * the list's content is watched with a ResizeObserver rather than after renders.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Within this many pixels of the end counts as "at the bottom". */
const PIN_SLACK_PX = 32;

export class ScrollController implements ReactiveController {
  unseen = false;
  #pinned = true;
  #scroller: HTMLElement | undefined;
  #content: HTMLElement | undefined;
  #lastHeight = 0;
  /** Where we last scrolled to ourselves. */
  #autoTop = 0;
  readonly #resize = new ResizeObserver(() => this.#onResize());

  readonly #onScroll = (): void => {
    const el = this.#scroller;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= PIN_SLACK_PX;
    // Scroll events arrive a frame late: one caused by our own jump can land
    // after the content grew again and look like "not at the bottom". Only a
    // move above where we put it is the user scrolling away.
    this.#pinned = atBottom || (this.#pinned && el.scrollTop >= this.#autoTop - 2);
    if (this.#pinned && this.unseen) {
      this.unseen = false;
      this.host.requestUpdate();
    }
    if (el.scrollTop === 0 && el.scrollHeight > el.clientHeight) this.#onTop();
  };

  readonly #onTop: () => void;

  constructor(
    private readonly host: ReactiveControllerHost,
    onTop: () => void = () => {},
  ) {
    this.#onTop = onTop;
    host.addController(this);
  }

  /** The scrolling list and the element holding its content, once rendered. */
  observe(scroller: HTMLElement | undefined, content: HTMLElement | undefined): void {
    if (scroller === this.#scroller && content === this.#content) return;
    this.#scroller?.removeEventListener('scroll', this.#onScroll);
    this.#resize.disconnect();
    this.#scroller = scroller;
    this.#content = content;
    scroller?.addEventListener('scroll', this.#onScroll, { passive: true });
    if (content) this.#resize.observe(content);
  }

  hostConnected(): void {
    if (this.#content) this.#resize.observe(this.#content);
  }

  hostDisconnected(): void {
    this.#resize.disconnect();
  }

  #onResize(): void {
    const el = this.#scroller;
    if (!el) return;
    const grew = el.scrollHeight > this.#lastHeight;
    this.#lastHeight = el.scrollHeight;
    if (this.#pinned) {
      this.#jump(el);
    } else if (grew && !this.unseen) {
      this.unseen = true;
      this.host.requestUpdate();
    }
  }

  /** Jump to the newest message and stay there (the user sent something, or asked to). */
  toBottom(): void {
    this.#pinned = true;
    this.unseen = false;
    const el = this.#scroller;
    if (el) this.#jump(el);
    this.host.requestUpdate();
  }

  #jump(el: HTMLElement): void {
    el.scrollTop = el.scrollHeight;
    this.#autoTop = el.scrollTop;
  }
}
