import { describe, expect, it } from 'vitest';
import { applyTheme, type ThemeRoot } from './theme.js';

const root = (): ThemeRoot => ({ dataset: {}, style: { colorScheme: '' } });

describe('applyTheme', () => {
  it('writes a chosen theme on <html> as data-theme and color-scheme', () => {
    const html = root();
    applyTheme('dark', html);
    expect(html.dataset.theme).toBe('dark');
    expect(html.style.colorScheme).toBe('dark');
    applyTheme('light', html);
    expect(html.dataset.theme).toBe('light');
    expect(html.style.colorScheme).toBe('light');
  });

  it('removes both for the system theme, so the stylesheet follows the system', () => {
    const html = root();
    applyTheme('dark', html);
    applyTheme('system', html);
    expect('theme' in html.dataset).toBe(false);
    expect(html.style.colorScheme).toBe('');
    applyTheme('system', html);
    expect('theme' in html.dataset).toBe(false);
  });
});
