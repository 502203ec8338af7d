// The display names of a benchmark team, the same in every run and in every
// page: the app's contacts (seeded into the server) and the Svelte baseline's
// rows (built into its bundle) read alike.
const FIRST = ['Ada', 'Ben', 'Chloé', 'Dmitri', 'Elif', 'Farah', 'Gustavo', 'Hana', 'Ines', 'Jonas', 'Kofi', 'Lena', 'Mateo', 'Nadia', 'Oskar', 'Priya', 'Quentin', 'Rosa', 'Sven', 'Tomoko', 'Umar', 'Vera', 'Wen', 'Yusuf', 'Zoe'];
const LAST = ['Abara', 'Berg', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'García', 'Haddad', 'Ivanova', 'Jensen', 'Kowalski', 'Lindqvist', 'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Quinn', 'Rossi', 'Santos', 'Tanaka'];

/** Member `i` of the team: a valid username and a display name. */
export function member(i) {
  return {
    username: `c${String(i).padStart(4, '0')}`,
    displayName: `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}`,
  };
}
