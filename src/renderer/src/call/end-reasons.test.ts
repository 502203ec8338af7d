import { describe, expect, it } from 'vitest';
import { refusalText } from './end-reasons.js';

const bob = { username: 'bob', displayName: 'Bob Chen' };

describe('a refused call in words', () => {
  it('names the person by display name and says how long to wait', () => {
    expect(refusalText({ message: 'You have called bob too often without an answer: wait and try again', retryAfterMs: 421_000 }, bob)).toBe(
      'You have called Bob Chen too often without an answer. Try again in 8 min.',
    );
    expect(refusalText({ message: 'You have placed too many calls without an answer: wait and try again', retryAfterMs: 12_400 }, bob)).toBe(
      'You have placed too many calls without an answer. Try again in 13 s.',
    );
  });

  it('leaves a sentence without a wait as the server wrote it, and never rewrites part of another word', () => {
    expect(refusalText({ message: 'There is no user "bob"' }, bob)).toBe('There is no user "Bob Chen"');
    expect(refusalText({ message: 'bobby and bob.smith are not bob' }, bob)).toBe('bobby and bob.smith are not Bob Chen');
  });
});
