import { describe, expect, it } from 'vitest';
import { faviconHref, faviconSvg } from './favicon.js';

describe('favicon', () => {
  it('is the mark, with a red dot only when something wants attention', () => {
    expect(faviconSvg(false)).toContain('<svg');
    expect(faviconSvg(false)).not.toContain('circle');
    expect(faviconSvg(true)).toContain('<circle');
    expect(faviconHref(true)).toMatch(/^data:image\/svg\+xml,%3Csvg/);
    expect(faviconHref(true)).not.toBe(faviconHref(false));
  });
});
