"""Propaganda techniques (SemEval-2020 Task 11) found in an article.

The model lives in `sourcetrace.nlp.framing.model` (imported on demand: it pulls in scikit-learn).
"""

from sourcetrace.nlp.framing.labels import TECHNIQUES, technique_label

__all__ = ["TECHNIQUES", "technique_label"]
