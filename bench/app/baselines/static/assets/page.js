// A click on Call shows a section.call, as the app shows its call panel.
document.querySelector('button.call')?.addEventListener('click', () => {
  const section = document.createElement('section');
  section.className = 'call';
  section.textContent = 'Calling Ada Abara…';
  document.body.prepend(section);
});
