"""The GAP reader, candidates and metric, on an invented snippet in GAP's format."""

from __future__ import annotations

from pathlib import Path

from sourcetrace.eval import gap
from sourcetrace.nlp.resolution.pronouns import PronounModel

HEADER = "ID\tText\tPronoun\tPronoun-offset\tA\tA-offset\tA-coref\tB\tB-offset\tB-coref\tURL\n"


def _write(tmp_path: Path) -> Path:
    text = "Karen Holm met Ruth Elling in Oslo. Holm said that she would sign the deal on Friday."
    row = [
        "validation-1", text, "she", str(text.index("she")), "Karen Holm", "0", "TRUE",
        "Ruth Elling", str(text.index("Ruth")), "FALSE", "http://example.org/x",
    ]
    (tmp_path / "gap-validation.tsv").write_text(HEADER + "\t".join(row) + "\n", encoding="utf-8")
    return tmp_path


def test_reader_and_candidates(tmp_path: Path, analyzer) -> None:
    examples = gap.read_gap(_write(tmp_path), "validation")
    assert len(examples) == 1 and examples[0].a_coref and not examples[0].b_coref and examples[0].feminine
    item = next(gap.instances(analyzer.nlp, examples))
    # Candidate A has both its mentions: the full name and the later surname.
    assert [item.doc[s:e].text for s, e in item.a.mentions] == ["Karen Holm", "Holm"]
    assert [item.doc[s:e].text for s, e in item.b.mentions] == ["Ruth Elling"]


def test_metric_and_decision_rule(tmp_path: Path, analyzer) -> None:
    assert gap.decide(0.7, 0.2, 0.5) == (True, False)
    assert gap.decide(0.3, 0.4, 0.5) == (False, False)
    items = list(gap.instances(analyzer.nlp, gap.read_gap(_write(tmp_path), "validation")))
    always_a = PronounModel({"nbefore:2": 5.0}, -2.0, 0.5)  # A has two mentions before the pronoun
    scores = gap.score(always_a, items)
    assert scores.prf() == (1.0, 1.0, 1.0) and scores.prf("masculine") == (0.0, 0.0, 0.0)
    never = PronounModel({}, -5.0, 0.5)
    assert gap.score(never, items).prf() == (0.0, 0.0, 0.0)
