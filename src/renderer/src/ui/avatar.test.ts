import { describe, expect, it } from 'vitest';
import { AVATAR_COLOURS, avatarColour, initials } from './avatar.js';

/** WCAG relative luminance and contrast ratio. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
const contrast = (a: string, b: string) => {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x! + 0.05) / (y! + 0.05);
};

describe('avatar', () => {
  it('takes the first letters of the first and last word, or two of one word', () => {
    expect(initials('Ada Lovelace')).toBe('AL');
    expect(initials('Grace Brewster Hopper')).toBe('GH');
    expect(initials('bob')).toBe('BO');
    expect(initials('  ')).toBe('?');
    expect(initials('李小龍')).toBe('李小');
    expect(initials('👩🏽‍💻 Zoe')).toBe('👩🏽‍💻Z');
  });

  it('gives each user one colour, and every colour carries white initials at AA contrast', () => {
    expect(avatarColour('alice')).toBe(avatarColour('alice'));
    const seen = new Set(['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'].map(avatarColour));
    expect(seen.size).toBeGreaterThan(3);
    for (const c of AVATAR_COLOURS) expect(contrast(c, '#ffffff')).toBeGreaterThanOrEqual(4.5);
  });
});
