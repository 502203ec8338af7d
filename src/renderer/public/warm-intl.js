new Intl.Collator().compare('a', 'b');
