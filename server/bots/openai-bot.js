import OpenAI from 'openai';

export const DEFAULT_MODEL = 'gpt-4o-mini';

const SYSTEM_PROMPT =
  'You are the assistant in a small chat window on a company website. Answer briefly and ' +
  'helpfully. Use Markdown (short lists, tables, fenced code) when it makes an answer clearer. ' +
  'Assistant turns that begin with "[Name, support team]" were written by a person from the ' +
  'team who took over the chat for a while; never begin your own answers that way.';

/**
 * @typedef {object} OpenAIBotOptions
 * @property {string} baseURL e.g. https://api.openai.com/v1 or a local server's /v1
 * @property {string} [apiKey] local servers usually accept anything
 * @property {string} [model]
 * @property {string} [systemPrompt]
 * @property {number} [maxRetries] retries before the first token; never mid-stream
 * @property {number} [timeoutMs]
 */

/**
 * Streams from any server that speaks OpenAI's chat completions API (OpenAI, vLLM, llama.cpp,
 * Ollama, LM Studio…).
 *
 * @param {OpenAIBotOptions} options
 * @returns {import('./index.js').Bot}
 */
export function createOpenAIBot({
  baseURL,
  apiKey = 'not-needed',
  model = DEFAULT_MODEL,
  systemPrompt = SYSTEM_PROMPT,
  maxRetries = 1,
  timeoutMs = 60_000,
}) {
  const client = new OpenAI({ baseURL, apiKey, maxRetries, timeout: timeoutMs });

  return {
    description: `OpenAI-compatible, model ${model} at ${baseURL}`,

    async *reply({ history, signal }) {
      const stream = await client.chat.completions.create(
        {
          model,
          stream: true,
          messages: [
            { role: 'system', content: systemPrompt },
            ...history.map(({ role, content }) => ({ role, content })),
          ],
        },
        { signal },
      );
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta?.content;
        if (delta) yield delta;
      }
    },
  };
}
