"""Blind double annotation of the real-article gold: packets, answer checks, import, agreement.

    python -m sourcetrace.eval.realgold.annotation packets --out DIR     # one packet per article
    python -m sourcetrace.eval.realgold.annotation check ANSWER.json...   # an annotator checks answers
    python -m sourcetrace.eval.realgold.annotation import DIR --as A      # answers -> offsets gold
    python -m sourcetrace.eval.realgold.annotation agreement              # A against B, by the guide
    python -m sourcetrace.eval.realgold.annotation diff --out DIR         # where A and B differ

Annotators see a packet (the article, its publisher and headline, the region to annotate) and answer
with claim texts and chains (`tests/gold/real/ANNOTATOR_BRIEF.md`). Their answers hold article text, so
they stay outside the repository; `import` turns them into offsets into the shared field, which is
what `tests/gold/real/` keeps. Nothing here runs or reads the analysis: an annotator's world is the
article, the guide and the brief.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sourcetrace.eval.realgold.gold import (
    GOLD_DIR,
    GoldArticle,
    GoldClaim,
    GoldHeadline,
    Hop,
    load_gold_dir,
    write_gold,
)
from sourcetrace.eval.realgold.matching import match_claims
from sourcetrace.eval.realgold.names import same_source
from sourcetrace.eval.realgold.selection import SELECTION_FILE, Selected, load_selection, units
from sourcetrace.eval.realgold.shared import SharedArticle, load_article
from sourcetrace.eval.realgold.textmap import locate

SOURCE_TYPES = (
    "outlet named_person named_organization official_unnamed anonymous eyewitness document collective author"
).split()
REASONS = ("a", "b", "c")
DEFAULT_DATA = Path("../shared/data")


class AnswerError(ValueError):
    """An answer that does not fit the format or the article."""


# ------------------------------------------------------------------------------------------ packets


def render_packet(article: SharedArticle, selected: Selected) -> str:
    text = article.text
    start, end = selected.region
    blocks = [" ".join(text[u.start : u.end].split()) for u in units(article)]
    region_blocks = [
        " ".join(text[max(u.start, start) : min(u.end, end)].split())
        for u in units(article)
        if u.start < end and u.end > start
    ]
    whole = start <= len(text) - len(text.lstrip()) and end >= len(text.rstrip())
    return "\n".join(
        [
            f"# Article {article.ref.id}",
            "",
            f"Publisher (first hop of every chain): {article.outlet}",
            f"Headline: {article.title}",
            "",
            "## The whole article (read all of it for names, roles and earlier speakers)",
            "",
            "\n\n".join(blocks),
            "",
            "## Region to annotate" + (" (the whole article)" if whole else ""),
            "",
            "Annotate every claim in this region; claim texts must be copied from it.",
            "",
            "\n\n".join(region_blocks),
            "",
        ]
    )


def write_packets(data: Path, out: Path, selection: Path = SELECTION_FILE) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for selected in load_selection(selection):
        article = load_article(data, selected.ref)
        if article.sha256 != selected.sha256:
            raise AnswerError(f"{selected.ref.id}: the shared text changed since the selection")
        path = out / f"{selected.ref.id}.md"
        path.write_text(render_packet(article, selected), encoding="utf-8")
        written.append(path)
    return written


# ------------------------------------------------------------------------------------------ answers


@dataclass(frozen=True, slots=True)
class Answer:
    article: str
    annotator: str
    readable: bool
    claims: tuple[GoldClaim, ...]
    headline: GoldHeadline | None


def _hops(raw: object, where: str) -> tuple[Hop, ...]:
    if not isinstance(raw, list) or not raw:
        raise AnswerError(f"{where}: chain must be a non-empty list")
    hops = []
    for i, hop in enumerate(raw):
        if not isinstance(hop, dict) or hop.get("type") not in SOURCE_TYPES:
            raise AnswerError(f"{where}: hop {i} has no known type ({SOURCE_TYPES})")
        hops.append(Hop(str(hop.get("name") or "").strip(), hop["type"]))
    if hops[0].type != "outlet":
        raise AnswerError(f"{where}: a chain starts with the publisher (type outlet)")
    return tuple(hops)


def parse_answer(raw: dict, data: Path, selection: dict[str, Selected]) -> Answer:
    """Check an answer against its article and turn claim texts into offsets."""
    article_id = str(raw.get("article", ""))
    if article_id not in selection:
        raise AnswerError(f"article {article_id!r} is not in the selection")
    selected = selection[article_id]
    article = load_article(data, selected.ref)
    where = article_id
    if raw.get("readable", True) is False:
        return Answer(article_id, str(raw.get("annotator", "")), False, (), None)
    claims = []
    problems = []
    for i, claim in enumerate(raw.get("claims") or ()):
        label = f"{where} claim {i}"
        try:
            occurrence = int(claim.get("occurrence", 1))
            span = locate(article.text, str(claim.get("text", "")), selected.region, occurrence)
            if span is None:
                raise AnswerError(f"{label}: text not found in the region: {claim.get('text', '')[:80]!r}")
            chain = _hops(claim.get("chain"), label)
            claims.append(GoldClaim(span[0], span[1], chain, bool(claim.get("quote", False))))
        except AnswerError as exc:
            problems.append(str(exc))
    headline = _headline(raw.get("headline"), article, where, problems)
    if problems:
        raise AnswerError("\n".join(problems))
    return Answer(article_id, str(raw.get("annotator", "")), True, tuple(claims), headline)


def _headline(raw: object, article: SharedArticle, where: str, problems: list[str]) -> GoldHeadline | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: headline must be an object")
        return None
    reasons = tuple(sorted(str(r) for r in raw.get("reasons") or ()))
    if any(r not in REASONS for r in reasons):
        problems.append(f"{where}: headline reasons are a subset of {list(REASONS)}")
    span = None
    if raw.get("claim"):
        span = locate(article.text, str(raw["claim"]), None, 1)
        if span is None:
            problems.append(f"{where}: headline claim not found in the article: {str(raw['claim'])[:80]!r}")
    overstated = bool(raw.get("overstated", False))
    if overstated and not reasons:
        problems.append(f"{where}: an overstated headline names its reasons (a, b, c)")
    states_as_fact = bool(raw.get("states_as_fact", False))
    return GoldHeadline(states_as_fact, span, overstated, reasons if overstated else ())


def load_answers(paths: Sequence[Path], data: Path, selection_file: Path = SELECTION_FILE) -> list[Answer]:
    selection = {s.ref.id: s for s in load_selection(selection_file)}
    answers, problems = [], []
    for path in paths:
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
            answers.append(parse_answer(raw, data, selection))
        except (AnswerError, json.JSONDecodeError) as exc:
            problems.append(f"{path}: {exc}")
    if problems:
        raise AnswerError("\n".join(problems))
    return answers


def import_answers(
    folder: Path, annotator: str, data: Path, out: Path, selection_file: Path = SELECTION_FILE
) -> list[Path]:
    """Turn a folder of answers into gold files (offsets and labels) under `out`."""
    selection = {s.ref.id: s for s in load_selection(selection_file)}
    answers = load_answers(sorted(folder.glob("*.json")), data, selection_file)
    written = []
    for answer in answers:
        selected = selection[answer.article]
        article = load_article(data, selected.ref)
        gold = GoldArticle(
            ref=selected.ref,
            field=article.field,
            sha256=article.sha256,
            split=selected.split,
            region=selected.region,
            publisher=article.outlet or "",
            readable=answer.readable,
            claims=answer.claims,
            headline=answer.headline,
            annotators=("A", "B") if annotator == "adjudicated" else (annotator,),
        )
        written.append(write_gold(gold, out))
    return written


# ---------------------------------------------------------------------------------------- agreement


@dataclass(slots=True)
class Agreement:
    articles: int = 0
    claims_a: int = 0
    claims_b: int = 0
    matched: int = 0
    exact: int = 0
    innermost: int = 0
    headlines: int = 0
    headline_same: int = 0

    @property
    def claim_f1(self) -> float:
        total = self.claims_a + self.claims_b
        return 2 * self.matched / total if total else 0.0

    def rate(self, n: int, d: int) -> float:
        return n / d if d else 0.0

    def lines(self) -> list[str]:
        return [
            f"articles both read: {self.articles}",
            f"claims: A {self.claims_a}, B {self.claims_b}, matched {self.matched} "
            f"(claim F1 {self.claim_f1:.3f})",
            f"exact chain on matched claims: {self.exact}/{self.matched} = "
            f"{self.rate(self.exact, self.matched):.3f}",
            f"innermost source on matched claims: {self.innermost}/{self.matched} = "
            f"{self.rate(self.innermost, self.matched):.3f}",
            f"headline overstated flag: {self.headline_same}/{self.headlines} = "
            f"{self.rate(self.headline_same, self.headlines):.3f}",
        ]


def chains_agree(gold: Sequence[Hop], other: Sequence[Hop]) -> bool:
    return len(gold) == len(other) and all(
        same_source(g.name, g.type, o.name, o.type) for g, o in zip(gold, other, strict=True)
    )


def agreement(a: list[GoldArticle], b: list[GoldArticle]) -> Agreement:
    by_id = {g.ref.id: g for g in b}
    out = Agreement()
    for first in a:
        second = by_id.get(first.ref.id)
        if second is None or not (first.readable and second.readable):
            continue
        out.articles += 1
        out.claims_a += len(first.claims)
        out.claims_b += len(second.claims)
        pairs = match_claims(
            [(c.start, c.end) for c in first.claims], [(c.start, c.end) for c in second.claims]
        )
        for i, j in pairs.items():
            out.matched += 1
            ca, cb = first.claims[i], second.claims[j]
            out.exact += chains_agree(ca.chain, cb.chain)
            inner_a, inner_b = ca.chain[-1], cb.chain[-1]
            out.innermost += same_source(inner_a.name, inner_a.type, inner_b.name, inner_b.type)
        if first.headline is not None and second.headline is not None:
            out.headlines += 1
            out.headline_same += first.headline.overstated == second.headline.overstated
    return out


# --------------------------------------------------------------------------------------------- diff


def _fmt_chain(chain: Sequence[Hop]) -> str:
    return " > ".join(f"{h.type}:{h.name}" if h.name else h.type for h in chain)


def diff_report(first: GoldArticle, second: GoldArticle, article: SharedArticle) -> str:
    """Where two annotations of one article differ, for the person who settles them by the guide."""
    text = article.text
    lines = [f"# Differences in {first.ref.id}", ""]
    pairs = match_claims([(c.start, c.end) for c in first.claims], [(c.start, c.end) for c in second.claims])
    for i, claim in enumerate(first.claims):
        excerpt = " ".join(text[claim.start : claim.end].split())
        if i not in pairs:
            lines.append(f"- only A: {excerpt!r}\n    A: {_fmt_chain(claim.chain)}")
            continue
        other = second.claims[pairs[i]]
        if not chains_agree(claim.chain, other.chain) or claim.quote != other.quote:
            lines.append(
                f"- chain differs: {excerpt!r}\n    A: {_fmt_chain(claim.chain)} (quote {claim.quote})"
                f"\n    B: {_fmt_chain(other.chain)} (quote {other.quote})"
            )
    taken = set(pairs.values())
    for j, claim in enumerate(second.claims):
        if j not in taken:
            excerpt = " ".join(text[claim.start : claim.end].split())
            lines.append(f"- only B: {excerpt!r}\n    B: {_fmt_chain(claim.chain)}")
    ha, hb = first.headline, second.headline
    if ha is not None and hb is not None and (ha.overstated, ha.reasons) != (hb.overstated, hb.reasons):
        lines.append(
            f"- headline: A overstated={ha.overstated} {list(ha.reasons)}; "
            f"B overstated={hb.overstated} {list(hb.reasons)}"
        )
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------- cli


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--gold", type=Path, default=GOLD_DIR,
                        help="the gold set: its selection.json, annotators/ and articles/")
    commands = parser.add_subparsers(dest="command", required=True)
    packets = commands.add_parser("packets", help="write one annotation packet per selected article")
    packets.add_argument("--out", type=Path, required=True)
    check = commands.add_parser("check", help="check answer files against their articles")
    check.add_argument("answers", type=Path, nargs="+")
    imported = commands.add_parser("import", help="answers -> gold files with offsets")
    imported.add_argument("folder", type=Path)
    imported.add_argument("--as", dest="annotator", required=True, help="A, B or adjudicated")
    imported.add_argument("--out", type=Path, default=None)
    agree = commands.add_parser("agreement", help="annotator A against annotator B")
    diff = commands.add_parser("diff", help="one file per article listing where A and B differ")
    for sub in (agree, diff):
        sub.add_argument("--a", type=Path, default=None, help="default: GOLD/annotators/A")
        sub.add_argument("--b", type=Path, default=None, help="default: GOLD/annotators/B")
    diff.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    selection = args.gold / "selection.json"
    try:
        if args.command == "packets":
            print(f"{len(write_packets(args.data, args.out, selection))} packets in {args.out}")
        elif args.command == "check":
            answers = load_answers(args.answers, args.data, selection)
            print(f"ok: {len(answers)} answers, {sum(len(a.claims) for a in answers)} claims")
        elif args.command == "import":
            settled = args.annotator == "adjudicated"
            out = args.out or args.gold / ("articles" if settled else f"annotators/{args.annotator}")
            written = import_answers(args.folder, args.annotator, args.data, out, selection)
            print(f"{len(written)} gold files in {out}")
        else:
            first_dir = args.a or args.gold / "annotators" / "A"
            second_dir = args.b or args.gold / "annotators" / "B"
            if args.command == "agreement":
                print("\n".join(agreement(load_gold_dir(first_dir), load_gold_dir(second_dir)).lines()))
            else:
                write_diffs(first_dir, second_dir, args.data, args.out)
    except AnswerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def write_diffs(first_dir: Path, second_dir: Path, data: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    second = {g.ref.id: g for g in load_gold_dir(second_dir)}
    for first in load_gold_dir(first_dir):
        other = second.get(first.ref.id)
        if other is None or not (first.readable and other.readable):
            continue
        article = load_article(data, first.ref)
        (out / f"{first.ref.id}.diff.md").write_text(diff_report(first, other, article), encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
