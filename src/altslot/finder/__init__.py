"""The pure finder: a wish and a slot index in, ranked offers and the words to say them out. No I/O lives here."""
