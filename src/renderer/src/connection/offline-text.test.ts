import { describe, expect, it } from 'vitest';
import { offlineText } from './offline-text.js';

describe('the offline banner', () => {
  it('says the server cannot be reached, and never that it is restarting', () => {
    expect(offlineText('chat.example.com', false, null)).toBe("Can't reach the server at chat.example.com.");
    expect(offlineText('chat.example.com', false, 'Check your network.')).toBe("Can't reach the server at chat.example.com. Check your network.");
  });

  it('says it was shut down only when the server said so (server:closing), without guessing that it restarts', () => {
    const text = offlineText('127.0.0.1:7070', true, null);
    expect(text).toMatch(/^Can't reach the server at 127\.0\.0\.1:7070\. It was shut down/);
    expect(text).not.toMatch(/restart/);
  });
});
