"""Outlets: the reliability table built from four public rating sets (`table`) and an article's
publisher standing (`standing`)."""
