"""Evaluation against gold corpora (PolNeAR attribution spans; chain gold)."""
