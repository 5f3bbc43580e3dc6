import { noChange } from 'lit';
import {
  AsyncDirective,
  directive,
  PartType,
  type ElementPart,
  type PartInfo,
} from 'lit/async-directive.js';
import { StreamingMarkdown, type MarkdownOptions } from './streaming.js';

export interface MarkdownDirectiveOptions extends MarkdownOptions {
  /** True while tokens still arrive; false once the message is complete. */
  streaming: boolean;
}

function optionsKey(options: MarkdownOptions): string {
  const labels = options.labels;
  return JSON.stringify([
    options.imageHosts,
    options.maxLength ?? null,
    labels ? [labels.copy, labels.copied, labels.codeBlock ?? null] : null,
  ]);
}

class MarkdownDirective extends AsyncDirective {
  #renderer: StreamingMarkdown | undefined;
  #element: HTMLElement | undefined;
  #key = '';
  #text = '';
  #options: MarkdownDirectiveOptions | undefined;

  constructor(partInfo: PartInfo) {
    super(partInfo);
    if (partInfo.type !== PartType.ELEMENT) {
      throw new Error('markdown() must be bound to an element: <div ${markdown(text, options)}>');
    }
  }

  // Element parts ignore render output; the work happens in update().
  render(_text: string, _options: MarkdownDirectiveOptions): typeof noChange {
    return noChange;
  }

  override update(part: ElementPart, [text, options]: [string, MarkdownDirectiveOptions]) {
    // A message without content yet must render empty, not throw inside Lit's update.
    this.#text = typeof text === 'string' ? text : '';
    this.#options = options;
    this.#element = part.element as HTMLElement;
    if (this.isConnected) this.#apply();
    return noChange;
  }

  #apply(): void {
    const element = this.#element;
    const options = this.#options;
    if (!element || !options) return;
    const key = optionsKey(options);
    if (!this.#renderer || key !== this.#key) {
      this.#renderer?.dispose();
      // Takes the element's children over; Lit renders none inside it.
      this.#renderer = new StreamingMarkdown(element, options);
      this.#key = key;
    }
    if (options.streaming) this.#renderer.update(this.#text);
    else this.#renderer.finish(this.#text);
  }

  protected override disconnected(): void {
    this.#renderer?.dispose();
    this.#renderer = undefined;
  }

  protected override reconnected(): void {
    this.#apply();
  }
}

/**
 * Renders markdown into the element it is bound to and keeps it current:
 * `<div part="content" ${markdown(message.content, { streaming, imageHosts })}></div>`.
 * One StreamingMarkdown per element; released when the element leaves the DOM.
 */
export const markdown = directive(MarkdownDirective);
