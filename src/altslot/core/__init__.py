"""The pure core: availability index, finder, ranking and phrasing. No I/O lives here."""
