"""Which earlier (or later) entity a third-person pronoun stands for: a learned scorer.

For a pronoun and each candidate entity (the mentions of one person, body or group), feature strings
describe how they relate: distance in tokens and sentences, the syntactic roles of the candidate's
nearest mention and of the pronoun (parallelism), whether the candidate is the subject of the clause
the pronoun sits in (binding), recency and subject rank among the candidates, mention counts, gender
and number agreement. A logistic regression over them (`models/resolution/pronouns.npz`) gives each
candidate a probability; the resolver takes the best one above the model's threshold.

Trained on GAP (Webster et al. 2018; `python -m sourcetrace.training.pronouns`), so it has
seen Wikipedia prose, not news; the speaker rules around it (`mentions`) handle the news-specific
cases (`he said` right after a quote of a named speaker).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
from scipy.special import expit
from spacy.tokens import Doc, Token

from sourcetrace.modelfile import model_path, open_npz_model, package_path, write_npz_model

MODEL_DIR = package_path("models", "resolution")
MODEL_FILE = "pronouns.npz"
FORMAT_VERSION = 1
REBUILD = "run `make models` to rebuild it"

MALE = frozenset("he him his himself".split())
FEMALE = frozenset("she her hers herself".split())
PLURAL = frozenset("they them their theirs themselves".split())
NEUTER = frozenset("it its itself".split())
PRONOUNS = MALE | FEMALE | PLURAL | NEUTER

_ROLES = {
    "nsubj": "subj", "nsubjpass": "subj", "csubj": "subj", "expl": "subj",
    "dobj": "obj", "obj": "obj", "dative": "obj", "iobj": "obj",
    "pobj": "pobj", "poss": "poss", "appos": "appos", "attr": "attr", "conj": "conj",
    "compound": "compound", "ROOT": "root", "agent": "pobj",
}  # fmt: skip


@dataclass(slots=True)
class Candidate:
    """One entity a pronoun may stand for: its mentions as token spans [start, end)."""

    key: str
    mentions: list[tuple[int, int]]
    gender: str | None = None  # 'f', 'm' or None
    plural: bool = False
    person: bool = True
    heads: list[int] = field(default_factory=list)

    def head_of(self, k: int) -> int:
        return self.heads[k] if self.heads else self.mentions[k][1] - 1


def _role(token: Token) -> str:
    return _ROLES.get(token.dep_, "other")


def _bucket(n: int) -> str:
    for edge in (0, 1, 3, 7, 15, 31, 63):
        if n <= edge:
            return str(edge)
    return "64+"


def _pronoun_gender(word: str) -> str | None:
    return "m" if word in MALE else "f" if word in FEMALE else None


def _is_subject_of(head: Token, verb: Token) -> bool:
    return head.head.i == verb.i and head.dep_ in ("nsubj", "nsubjpass")


def _governing_verb(token: Token) -> Token:
    node = token
    while node.head.i != node.i and node.pos_ not in ("VERB", "AUX"):
        node = node.head
    return node


def _clause_subject_index(verb: Token) -> int | None:
    subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    return subject.i if subject is not None else None


def pair_features(doc: Doc, pronoun: int, candidate: Candidate, candidates: Sequence[Candidate]) -> list[str]:
    """Feature strings for (pronoun, candidate); `candidates` are all entities in play, it included."""
    tok = doc[pronoun]
    word = tok.lower_
    sent_of = _sentence_index(doc)
    before = [k for k, (s, e) in enumerate(candidate.mentions) if e <= pronoun]
    after = [k for k, (s, e) in enumerate(candidate.mentions) if s > pronoun]
    prole = "poss" if tok.tag_ == "PRP$" or tok.dep_ == "poss" else _role(tok)
    feats = [f"pform:{word}", f"prole:{prole}", f"nment:{min(len(candidate.mentions), 3)}"]
    if before:
        k = before[-1]
        head = doc[candidate.head_of(k)]
        distance = pronoun - candidate.mentions[k][1]
        sentences = sent_of[pronoun] - sent_of[head.i]
        role = _role(head)
        direction = "b"
    elif after:
        k = after[0]
        head = doc[candidate.head_of(k)]
        distance = candidate.mentions[k][0] - pronoun
        sentences = sent_of[head.i] - sent_of[pronoun]
        role = _role(head)
        direction = "a"
    else:
        return [*feats, "nomention"]
    sd = str(min(sentences, 3))
    feats += [
        f"dir:{direction}",
        f"sd:{direction}{sd}",
        f"td:{direction}{_bucket(distance)}",
        f"role:{role}",
        f"role_prole:{role}|{prole}",
        f"par:{role == prole}",
        f"role_sd:{role}|{direction}{sd}",
        f"nbefore:{min(len(before), 3)}",
    ]
    # Recency and subject rank among the candidates mentioned before the pronoun.
    nearest = {
        c.key: max((c.head_of(j) for j, (s, e) in enumerate(c.mentions) if e <= pronoun), default=-1)
        for c in candidates
    }
    mine = nearest[candidate.key]
    if mine >= 0:
        closer = [c for c in candidates if nearest[c.key] > mine]
        feats.append(f"rank:{min(len(closer), 3)}")
        subjects_closer = sum(_role(doc[nearest[c.key]]) == "subj" for c in closer)
        feats.append(f"subj_rank:{min(subjects_closer, 2)}|{role}")
        first_seen = min(
            (c for c in candidates if c.mentions), key=lambda c: min(s for s, _ in c.mentions)
        ).key
        feats.append(f"first:{candidate.key == first_seen}")
    # Binding: the subject of the pronoun's own clause is rarely its antecedent unless possessive.
    verb = _governing_verb(tok)
    subject = _clause_subject_index(verb)
    if subject is not None and any(s <= subject < e for s, e in candidate.mentions):
        feats.append(f"clause_subject:{prole}")
    # `X said (that) he ...`: the pronoun inside a clause governed by a verb the candidate is subject of.
    ancestors = {a.i for a in tok.ancestors}
    if any(
        _is_subject_of(doc[candidate.head_of(j)], doc[candidate.head_of(j)].head)
        and candidate.head_of(j) < pronoun
        and doc[candidate.head_of(j)].head.i in ancestors
        and doc[candidate.head_of(j)].head.i != verb.i
        for j in range(len(candidate.mentions))
    ):
        feats.append(f"governs:{prole}")
    gender = _pronoun_gender(word)
    if candidate.person and gender and candidate.gender:
        feats.append("gender:agree" if candidate.gender == gender else "gender:clash")
    if word in PLURAL:
        feats.append(f"number:{'agree' if candidate.plural else 'clash'}")
    elif candidate.plural:
        feats.append("number:clash")
    if word in NEUTER:
        feats.append(f"neuter:{'person' if candidate.person else 'thing'}")
    elif not candidate.person:
        feats.append("personal:thing")
    return feats


def _sentence_index(doc: Doc) -> list[int]:
    cached = doc.user_data.get("sourcetrace.sentence_index")
    if cached is None:
        cached, k = [], -1
        for token in doc:
            if token.is_sent_start or token.i == 0:
                k += 1
            cached.append(k)
        doc.user_data["sourcetrace.sentence_index"] = cached
    return cached


@dataclass(slots=True)
class PronounModel:
    weights: dict[str, float]
    bias: float
    threshold: float
    meta: dict = field(default_factory=dict)

    def probabilities(self, doc: Doc, pronoun: int, candidates: Sequence[Candidate]) -> list[float]:
        scores = [
            self.bias + sum(self.weights.get(f, 0.0) for f in pair_features(doc, pronoun, c, candidates))
            for c in candidates
        ]
        return expit(np.asarray(scores, dtype=float)).tolist()

    def best(self, doc: Doc, pronoun: int, candidates: Sequence[Candidate]) -> tuple[int, float] | None:
        """Index of the candidate the pronoun most likely stands for, if above the threshold."""
        if not candidates:
            return None
        probs = self.probabilities(doc, pronoun, candidates)
        k = int(np.argmax(probs))
        return (k, probs[k]) if probs[k] >= self.threshold else None

    def save(self, directory: Path) -> Path:
        names = sorted(self.weights)
        arrays = {"weights": np.asarray([self.weights[n] for n in names], dtype=np.float32)}
        state = {
            "format": FORMAT_VERSION, "features": names, "bias": self.bias,
            "threshold": self.threshold, "meta": self.meta,
        }  # fmt: skip
        return write_npz_model(directory, MODEL_FILE, arrays, state)

    @classmethod
    def load(cls, path: Path | None = None) -> PronounModel:
        file = model_path(path, MODEL_DIR, MODEL_FILE)
        with open_npz_model(file, "pronoun model", FORMAT_VERSION, REBUILD) as (arrays, state):
            weights = dict(zip(state["features"], arrays["weights"].astype(float).tolist(), strict=True))
            return cls(weights, float(state["bias"]), float(state["threshold"]), dict(state.get("meta", {})))


@cache
def packaged_model() -> PronounModel:
    return PronounModel.load()
