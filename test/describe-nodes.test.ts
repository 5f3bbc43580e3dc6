import { expect } from '@open-wc/testing';

describe('failed assertions about DOM nodes', () => {
  it('carry the node as markup, so the runner reports them instead of stalling', () => {
    const button = document.createElement('button');
    button.textContent = 'Send';
    let failure: { actual?: unknown; expected?: unknown } | undefined;
    try {
      expect(button).to.equal(null);
    } catch (error) {
      failure = error as typeof failure;
    }
    expect(failure?.actual).to.equal('<button>Send</button>');
    expect(failure?.expected).to.equal(null);
  });
});
