/** The incoming call card, rendered by Svelte's server renderer (no DOM here): what it tells the person deciding to answer. */
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import IncomingCard from './IncomingCard.svelte';

const card = (peer: { username: string; displayName: string }) =>
  render(IncomingCard, { props: { peer, video: false, room: null, others: [], onanswer: () => undefined, ondecline: () => undefined } }).body;

/** The text of the first element with this class. */
function textOf(html: string, className: string): string | undefined {
  const match = new RegExp(`<p class="${className}[^"]*"[^>]*>([^<]*)</p>`).exec(html);
  return match?.[1];
}

describe('IncomingCard', () => {
  it('shows the username under the display name, so a look-alike name cannot pass for a colleague', () => {
    const html = card({ username: 'mallory', displayName: 'Alice Smith' });
    expect(textOf(html, 'who')).toBe('Alice Smith');
    expect(textOf(html, 'handle')).toBe('@mallory');
    expect(html.indexOf('@mallory')).toBeGreaterThan(html.indexOf('Alice Smith</p>'));
    // What the browser tests read and press stays as it was.
    expect(textOf(html, 'state')).toBe('is calling you');
    expect(html).toContain('aria-label="Answer"');
    expect(html).toContain('aria-label="Decline"');
  });
});
