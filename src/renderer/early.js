// Before the app's scripts: a first visit's contact list and collator (src/directory/early-directory.ts says why).
(() => {
  try {
    // A returning visit draws the list kept from the last one.
    if (localStorage.getItem('parley.directory.v1') !== null) return;
    const session = JSON.parse(localStorage.getItem('parley.session.v1') ?? 'null');
    // The token goes only to a server named as the app would accept it (the app checks the rest itself).
    if (session?.expiresAt > Date.now() && /^https?:\/\/[^/]/.test(session.serverUrl) && typeof session.token === 'string') {
      window.parleyEarlyDirectory = {
        serverUrl: session.serverUrl,
        username: session.user?.username,
        answer: fetch(`${session.serverUrl}/api/directory?limit=500`, { headers: { authorization: `Bearer ${session.token}` } })
          .then((res) => (res.ok ? res.json() : null))
          .catch(() => null),
      };
    }
  } catch {
    // Storage disabled, or a malformed session: the app finds that out itself.
  }
  new Intl.Collator().compare('a', 'b');
})();
