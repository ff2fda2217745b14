"""Attribution extraction: cues, sources, contents, nesting and chains, as spaCy components."""
