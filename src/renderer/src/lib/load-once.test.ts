import { describe, expect, it } from 'vitest';
import { loadOnce } from './load-once.js';

describe('code loaded once', () => {
  it('shares one fetch between callers, and fetches again after a failure only', async () => {
    let fetches = 0;
    let fail = true;
    const load = loadOnce(() => {
      fetches++;
      return fail ? Promise.reject(new Error('gone')) : Promise.resolve({ ready: true });
    });
    await expect(Promise.all([load(), load()])).rejects.toThrow('gone');
    expect(fetches).toBe(1);
    fail = false;
    expect(await load()).toEqual({ ready: true });
    expect(await load()).toEqual({ ready: true });
    expect(fetches).toBe(2);
  });
});
