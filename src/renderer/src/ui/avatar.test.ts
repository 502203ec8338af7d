import { describe, expect, it } from 'vitest';
import { contrast } from '../theme/contrast.js';
import { AVATAR_HUES, avatarHue, initials } from './avatar.js';

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
