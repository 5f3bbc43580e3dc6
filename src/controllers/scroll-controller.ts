/**
 * Keeps the newest message in view while the user is at the bottom, and leaves
 * them alone when they scrolled up to read (then `unseen` says new messages wait below).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Within this many pixels of the end counts as "at the bottom". */
const PIN_SLACK_PX = 32;

export class ScrollController implements ReactiveController {
  unseen = false;
  private pinned = true;
  private element: HTMLElement | undefined;
  private lastHeight = 0;
  private readonly onScroll = (): void => {
    const el = this.element;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= PIN_SLACK_PX;
    if (atBottom !== this.pinned) {
      this.pinned = atBottom;
      if (atBottom && this.unseen) {
        this.unseen = false;
        this.host.requestUpdate();
      }
    }
    if (el.scrollTop === 0 && el.scrollHeight > el.clientHeight) this.onTop();
  };

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly onTop: () => void = () => {},
  ) {
    host.addController(this);
  }

  /** The scrolling list, once rendered. */
  observe(element: HTMLElement | undefined): void {
    if (element === this.element) return;
    this.element?.removeEventListener('scroll', this.onScroll);
    this.element = element;
    element?.addEventListener('scroll', this.onScroll, { passive: true });
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.observe(undefined);
  }

  hostUpdated(): void {
    const el = this.element;
    if (!el) return;
    const grew = el.scrollHeight !== this.lastHeight;
    this.lastHeight = el.scrollHeight;
    if (!grew) return;
    if (this.pinned) {
      el.scrollTop = el.scrollHeight;
    } else if (!this.unseen) {
      this.unseen = true;
      this.host.requestUpdate();
    }
  }

  /** Jump to the newest message and stay there (the user sent something, or asked to). */
  toBottom(): void {
    this.pinned = true;
    this.unseen = false;
    const el = this.element;
    if (el) el.scrollTop = el.scrollHeight;
    this.host.requestUpdate();
  }
}
