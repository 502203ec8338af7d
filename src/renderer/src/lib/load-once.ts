/**
 * Code fetched after the first paint, once: every caller shares the one
 * fetch, and a failed fetch (a page left open across an update asks for a
 * file the server no longer has) is not kept, so the next caller asks again.
 */
export function loadOnce<M>(load: () => Promise<M>): () => Promise<M> {
  let pending: Promise<M> | null = null;
  return () =>
    (pending ??= load().catch((err: unknown) => {
      pending = null;
      throw err;
    }));
}
