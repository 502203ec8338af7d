// What index.html's comment says: shipped as written, so kept short.
new Intl.Collator().compare('a', 'b');
try {
  void localStorage.length;
} catch {
  // storage disabled
}
