"""One search end to end: tenant rules, availability, the finder, phrasing, holds."""
