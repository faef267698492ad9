"""Edit, save, look: the site rebuilt on every change, the edited page first, the browser told."""
