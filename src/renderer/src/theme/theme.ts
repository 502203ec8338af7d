/** Light, dark, or as the system says: html[data-theme], which tokens.css turns into color-scheme. */
export type ThemeChoice = 'system' | 'light' | 'dark';

export function applyTheme(choice: ThemeChoice, root: HTMLElement = document.documentElement): void {
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
}
