import { describe, expect, it } from 'vitest';
import { contrast } from '../theme/contrast.js';
import { AVATAR_HUES, avatarHue, initials, oneCodePointEach } from './avatar.js';

describe('initials', () => {
  it.each([
    ['Ada Lovelace', 'AL'],
    ['Grace Brewster Hopper', 'GB'],
    ['bob', 'BO'],
    ['ada.lovelace', 'AL'],
    ['  ziggy  stardust ', 'ZS'],
    ['émile zola', 'ÉZ'],
    ['E\u0301mile Zola', 'E\u0301Z'],
    ['Dr. Who', 'DW'],
    ['(Bob) Smith', 'BS'],
    ['李小龍', '李小'],
    ['김 민수', '김민'],
    ['Ö', 'Ö'],
    ['👩🏽‍💻 Zoe', 'ZO'],
    ['🦊', '🦊'],
    ['👩🏽‍💻🦊', '👩🏽‍💻'],
    ['straße', 'ST'],
    ['ßa', 'ßA'],
    ['7 of Nine', '7O'],
    ['', '?'],
    ['   ', '?'],
  ])('%j → %j', (name, expected) => {
    expect(initials(name)).toBe(expected);
  });
});

describe('oneCodePointEach', () => {
  it('holds only where Intl.Segmenter splits every code point: each one it takes, between two letters', () => {
    const taken: string[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      const char = String.fromCodePoint(cp);
      if ((cp < 0xd800 || cp > 0xdfff) && oneCodePointEach(char)) taken.push(char);
    }
    // Letters of Latin, Cyrillic, Han... are taken; marks, jamo, emoji and controls are not.
    expect(taken.length).toBeGreaterThan(100_000);
    expect(['é', 'Я', '李', '김', '-'].every(oneCodePointEach)).toBe(true);
    expect(['e\u0301', '\u1100\u1161', '👩', '\u200d', '\n'].some(oneCodePointEach)).toBe(false);
    const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    const joined: string[] = [];
    // In strings of 500 (one of all 150,000 takes ICU minutes).
    for (let i = 0; i < taken.length; i += 500) {
      for (const { segment } of segmenter.segment(`a${taken.slice(i, i + 500).join('a')}a`)) {
        const chars = Array.from(segment);
        if (chars.length > 1) joined.push(chars.map((c) => c.codePointAt(0)?.toString(16)).join('+'));
      }
    }
    expect(joined).toEqual([]);
  });
});

describe('avatarHue', () => {
  it('gives each user one hue, spread over the palette', () => {
    expect(avatarHue('alice')).toBe(avatarHue('alice'));
    const users = Array.from({ length: 200 }, (_, i) => `user${i}`);
    const counts = new Map<string, number>();
    for (const u of users) counts.set(avatarHue(u), (counts.get(avatarHue(u)) ?? 0) + 1);
    expect(counts.size).toBe(AVATAR_HUES.length);
    for (const n of counts.values()) expect(n).toBeGreaterThan(5);
  });

  it('carries white initials at AA contrast on every hue', () => {
    for (const hue of AVATAR_HUES) expect(contrast(hue, '#ffffff'), hue).toBeGreaterThanOrEqual(4.5);
  });
});
