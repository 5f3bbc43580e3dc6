/**
 * Loaded before every browser test file (web-test-runner.config.mjs, `testRunnerHtml`).
 *
 * When an assertion about a DOM node fails, mocha copies the error's `actual` and `expected` for
 * its diff by walking every own property of the value. A node inside the widget reaches Lit's
 * template parts, controllers and the whole transcript from there, and the run stalls until the
 * file's time limit instead of reporting the failure. Nodes are replaced by their markup first.
 */
// The chai instance @open-wc/testing exports, without its entry point: that one registers fixture
// clean-up with mocha, which has not loaded yet when this runs, and would then never do so.
import chai from '@esm-bundle/chai';

/** @param {unknown} value */
const describeValue = (value) =>
  value instanceof Element
    ? value.outerHTML.slice(0, 500)
    : value instanceof Node
      ? `${value.nodeName}: ${String(value.textContent).slice(0, 200)}`
      : value;

chai.use((api) => {
  const assert = api.Assertion.prototype.assert;
  api.Assertion.prototype.assert = function (...args) {
    try {
      return assert.apply(this, args);
    } catch (error) {
      error.actual = describeValue(error.actual);
      error.expected = describeValue(error.expected);
      throw error;
    }
  };
});
