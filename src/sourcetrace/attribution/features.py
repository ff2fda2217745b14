"""Candidates and features for the learned attribution tagger.

Shared by training (`train.py`, which labels candidates from gold spans) and inference (`tagger.py`),
so both see exactly the same candidates and feature strings. Everything here reads only token text,
lemma, coarse POS, dependency label, head and entity type, so any English spaCy pipeline with a
parser works.

Feature strings are hashed later (sklearn FeatureHasher), so no vocabulary is stored in the model.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Token

OPEN_QUOTES = frozenset({"“", "``", "„", "«"})
CLOSE_QUOTES = frozenset({"”", "''", "»"})
AMBIGUOUS_QUOTES = frozenset({'"'})
QUOTES = OPEN_QUOTES | CLOSE_QUOTES | AMBIGUOUS_QUOTES

#: Coarse POS of tokens that may head a cue (covers >99.5% of PolNeAR train cues); ':' is added apart.
CUE_POS = frozenset({"VERB", "NOUN", "AUX", "ADP", "PROPN", "ADJ"})
#: Coarse POS of tokens that may head a source.
SOURCE_POS = frozenset({"PROPN", "NOUN", "PRON", "NUM", "ADJ", "DET", "X"})
#: Children of a cue whose subtree may be the content.
CONTENT_CHILD_DEPS = frozenset(
    {
        "ccomp", "xcomp", "dobj", "obj", "prep", "nsubj", "nsubjpass", "advcl", "oprd", "acomp",
        "attr", "dative", "pcomp", "parataxis", "pobj", "csubj", "npadvmod", "conj", "advmod",
    }
)  # fmt: skip
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"})
TRIM_PUNCT = frozenset(",.;:-–—―()[]{}|/…")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Lemma classes of words that often head an attribution. They only feed features: the classifier
# learns how much each class counts, and they let it generalise to cues rare or absent in training.
LEXICON: dict[str, frozenset[str]] = {
    "speech": _words(
        "say tell state claim declare announce assert add explain note remark comment mention reply respond "
        "answer ask inquire insist argue contend maintain stress emphasize emphasise repeat reiterate "
        "acknowledge admit concede confirm deny dispute warn caution promise pledge vow threaten propose "
        "recommend urge demand plead beg invite advise report write tweet post blog email text testify "
        "recount describe characterize portray label dub brand term accuse blame charge allege "
        "criticize criticise condemn denounce slam blast lambaste praise applaud commend hail thank "
        "congratulate defend joke quip shout yell scream whisper mutter chant boast brag complain lament "
        "grumble protest object counter rebut retort interject interrupt speculate estimate conclude "
        "observe signal hint imply disclose divulge leak publish tout pitch advocate endorse decry "
        "lash rail mock ridicule dismiss reject refuse decline apologize apologise announce recall "
        "quote cite reference refer talk speak discuss address tout assure reassure concur echo "
        "summarize summarise outline detail list predict forecast caution question challenge"
    ),
    "cognition": _words(
        "think believe know feel consider suspect doubt wonder fear worry hope expect assume presume "
        "suppose imagine understand realize realise recognize recognise remember forget regard view see "
        "judge deem reckon figure trust bet anticipate foresee agree disagree accept decide determine "
        "find learn discover notice perceive sense conclude calculate guess estimate"
    ),
    "attitude": _words(
        "want wish like love hate dislike prefer favor favour welcome embrace appreciate enjoy resent "
        "regret celebrate mourn seek need intend plan aim desire support back champion oppose resist "
        "fight vote push pressure lobby campaign urge target attack hit knock slam blame credit "
        "thank criticize question challenge tout promote"
    ),
    "evidence": _words(
        "show suggest indicate demonstrate prove reveal confirm document illustrate highlight underscore "
        "reflect mean imply point find estimate project project put"
    ),
    "seem": _words("seem appear look sound"),
    "noun": _words(
        "statement remark comment claim assertion argument allegation accusation criticism praise report "
        "announcement interview speech tweet post letter memo email message warning promise pledge vow "
        "threat call demand request question answer response reply testimony view opinion belief "
        "position stance concern fear hope expectation prediction suggestion proposal recommendation "
        "endorsement support opposition decision plan estimate analysis survey poll study finding data "
        "record document book article column editorial op-ed ad advertisement video footage transcript "
        "filing lawsuit complaint ruling verdict judgment memoir essay release notice order insistence "
        "argument case line message slogan rhetoric attack dig swipe jab criticism rebuke reference "
        "mention note explanation account description admission denial confirmation assurance"
    ),
    "adjective": _words(
        "clear unclear likely unlikely sure certain convinced confident skeptical sceptical critical "
        "supportive aware eager happy afraid optimistic pessimistic worried concerned adamant outspoken "
        "vocal quick reluctant willing unwilling hopeful doubtful proud angry upset furious pleased "
        "confident clear evident obvious apparent possible impossible true false"
    ),
}
LEMMA_CLASSES: dict[str, tuple[str, ...]] = {}
for _cls, _lemmas in LEXICON.items():
    for _lemma in _lemmas:
        LEMMA_CLASSES[_lemma] = (*LEMMA_CLASSES.get(_lemma, ()), _cls)


def lemma_classes(tok: Token) -> tuple[str, ...]:
    return LEMMA_CLASSES.get(tok.lemma_.lower(), ())


@dataclass(slots=True)
class DocIndex:
    """Per-document lookups computed once, so candidate generation stays cheap."""

    doc: Doc
    unit_start: list[int]  # first token of the token's unit (sentence clipped to its paragraph)
    unit_end: list[int]  # one past the last token of the unit
    para: list[int]  # paragraph number; 0 is the title line
    quote: list[int]  # index into `regions` of the quotation the token is inside, or -1
    regions: list[tuple[int, int]]  # quotations as token spans, marks included, end exclusive
    region_next: list[int]  # the region continuing this one in the next paragraph, or -1


def _is_newline(tok: Token) -> bool:
    return "\n" in tok.text


def index_doc(doc: Doc) -> DocIndex:
    n = len(doc)
    para = [0] * n
    p = 0
    for tok in doc:
        para[tok.i] = p
        if _is_newline(tok):
            p += 1
    unit_start = [0] * n
    unit_end = [0] * n
    for sent in doc.sents:
        start = sent.start
        for i in range(sent.start, sent.end):
            if i > start and para[i] != para[i - 1]:
                for j in range(start, i):
                    unit_end[j] = i
                start = i
            unit_start[i] = start
        for j in range(start, sent.end):
            unit_end[j] = sent.end
    regions, closed = _quote_regions(doc, para)
    quote = [-1] * n
    for r, (s, e) in enumerate(regions):
        for i in range(s, e):
            quote[i] = r
    # News style: a quote running over paragraphs leaves each paragraph unclosed and reopens the next.
    region_next = [-1] * len(regions)
    for r in range(len(regions) - 1):
        s, e = regions[r]
        ns, _ = regions[r + 1]
        if not closed[r] and para[ns] == para[e - 1] + 1 and _first_word(doc, para, ns):
            region_next[r] = r + 1
    return DocIndex(doc, unit_start, unit_end, para, quote, regions, region_next)


def _first_word(doc: Doc, para: list[int], i: int) -> bool:
    j = i - 1
    while j >= 0 and doc[j].is_space:
        j -= 1
    return j < 0 or para[j] != para[i]


def _quote_regions(doc: Doc, para: list[int]) -> tuple[list[tuple[int, int]], list[bool]]:
    regions: list[tuple[int, int]] = []
    closed: list[bool] = []
    open_at = -1
    for tok in doc:
        i = tok.i
        if open_at >= 0 and para[i] != para[open_at]:
            # Unclosed at the end of its paragraph: the quote ends with the paragraph.
            end = i
            while end > open_at + 1 and doc[end - 1].is_space:
                end -= 1
            regions.append((open_at, end))
            closed.append(False)
            open_at = -1
        text = tok.text
        if text not in QUOTES:
            continue
        if text in OPEN_QUOTES or (text in AMBIGUOUS_QUOTES and open_at < 0):
            open_at = i
        elif open_at >= 0:
            regions.append((open_at, i + 1))
            closed.append(True)
            open_at = -1
    if open_at >= 0:
        regions.append((open_at, len(doc)))
        closed.append(False)
    return regions, closed


# -------------------------------------------------------------------------------------------- cues


def is_cue_candidate(tok: Token) -> bool:
    return tok.pos_ in CUE_POS or tok.text == ":"


def _bucket(n: int) -> str:
    if n <= 3:
        return str(n)
    if n <= 6:
        return "4-6"
    if n <= 12:
        return "7-12"
    if n <= 25:
        return "13-25"
    return "26+"


def _word(tok: Token) -> str:
    return tok.lower_ if not tok.like_num else "#num"


def cue_features(tok: Token, ix: DocIndex) -> list[str]:
    doc = ix.doc
    i = tok.i
    lem = tok.lemma_.lower()
    pos, dep = tok.pos_, tok.dep_
    head = tok.head
    f = [
        "bias",
        "w=" + _word(tok),
        "l=" + lem,
        "p=" + pos,
        "d=" + dep,
        f"lp={lem}|{pos}",
        f"ld={lem}|{dep}",
        f"pd={pos}|{dep}",
        "suf=" + tok.lower_[-3:],
        "hl=" + head.lemma_.lower(),
        f"hd={head.dep_}|{head.pos_}",
        f"l_hd={lem}|{dep}|{head.pos_}",
    ]
    classes = lemma_classes(tok) or ("none",)
    for cls in classes:
        f.append("cls=" + cls)
        f.append(f"cls_pd={cls}|{pos}|{dep}")
    has_subj = has_clause = False
    for c in tok.children:
        cd = c.dep_
        f.append("cd=" + cd)
        f.append(f"lcd={lem}|{cd}")
        if cd in SUBJECT_DEPS:
            has_subj = True
            f.append(f"subj={c.pos_}|{c.ent_type_}")
            f.append(f"lsubj={lem}|{c.pos_}")
            if c.pos_ == "PRON":
                f.append("subjw=" + c.lower_)
        elif cd in ("ccomp", "xcomp", "parataxis"):
            has_clause = True
            f.append(f"lclause={lem}|{cd}")
            for g in c.children:
                if g.dep_ == "mark":
                    f.append(f"mark={lem}|{g.lower_}")
        elif cd in ("prep", "prt", "agent", "aux", "auxpass", "neg", "dative", "mark", "advmod"):
            f.append(f"cw={cd}|{c.lower_}")
            f.append(f"lcw={lem}|{cd}|{c.lower_}")
        elif cd in ("dobj", "obj", "attr", "oprd"):
            f.append(f"obj={c.lemma_.lower()}")
            f.append(f"lobj={lem}|{c.pos_}")
            for cls in lemma_classes(c):
                f.append("objcls=" + cls)
    f.append(f"subj_clause={has_subj}|{has_clause}")
    for cls in classes:
        f.append(f"cls_subj_clause={cls}|{has_subj}|{has_clause}")
    for cls in lemma_classes(head):
        f.append(f"headcls={cls}|{dep}")
    f.append(f"l_subj_clause={lem}|{has_subj}|{has_clause}")
    for k in (-2, -1, 1, 2):
        j = i + k
        if 0 <= j < len(doc):
            n = doc[j]
            f.append(f"n{k}={_word(n)}")
            f.append(f"np{k}={n.pos_}")
        else:
            f.append(f"n{k}=<edge>")
    if i + 1 < len(doc):
        f.append(f"l_next={lem}|{doc[i + 1].lower_}")
    if i > 0:
        f.append(f"l_prev={lem}|{doc[i - 1].lower_}")
    in_quote = ix.quote[i] >= 0
    us, ue = ix.unit_start[i], ix.unit_end[i]
    unit_quote = any(ix.quote[j] >= 0 for j in range(us, ue))
    f.append(f"q={in_quote}|{unit_quote}")
    f.append(f"lq={lem}|{in_quote}|{unit_quote}")
    f.append("pos_in_unit=" + _bucket(i - us))
    if ix.para[i] == 0:
        f.append("title")
    if tok.is_sent_start:
        f.append("sent_start")
    return f


def cue_candidates(ix: DocIndex) -> list[int]:
    return [t.i for t in ix.doc if is_cue_candidate(t)]


def cue_child_keys(child: Token) -> tuple[str, str]:
    """Inclusion-table keys of a cue head's child: specific (dep and word) and general (dep)."""
    return f"{child.dep_}|{child.lower_}", child.dep_


def expand_cue(tok: Token, table: dict[str, float]) -> list[int]:
    """Token indices of the cue span around its head, using the learned inclusion table.

    `table` maps child keys (see `cue_child_keys`) to the share of train cues that include such a
    child, and 'sub:'-prefixed keys to the share that also include the child's whole subtree
    ('said in a statement' does, 'according to Rubio' does not).
    """
    keep = [tok.i]
    for c in tok.children:
        specific, general = cue_child_keys(c)
        if table.get(specific, table.get(general, 0.0)) < 0.5:
            continue
        if table.get("sub:" + specific, table.get("sub:" + general, 0.0)) >= 0.5:
            keep.extend(x.i for x in c.subtree)
        else:
            keep.append(c.i)
    keep.sort()
    return _run_around(keep, tok.i)


def _run_around(keep: list[int], i: int) -> list[int]:
    """The contiguous run of sorted token indices that contains i."""
    lo = hi = keep.index(i)
    while lo > 0 and keep[lo - 1] == keep[lo] - 1:
        lo -= 1
    while hi + 1 < len(keep) and keep[hi + 1] == keep[hi] + 1:
        hi += 1
    return keep[lo : hi + 1]


# ----------------------------------------------------------------------------------------- sources


def _path(a: Token, b: Token, limit: int = 4) -> str:
    """Dependency path from a to b: '^dep' going up from a, 'vdep' going down to b."""
    up: list[Token] = [a]
    while up[-1].head.i != up[-1].i and len(up) <= limit + 1:
        up.append(up[-1].head)
    up_index = {t.i: k for k, t in enumerate(up)}
    down: list[str] = []
    cur = b
    steps = 0
    while cur.i not in up_index:
        if cur.head.i == cur.i or steps > limit:
            return "far"
        down.append("v" + cur.dep_)
        cur = cur.head
        steps += 1
    k = up_index[cur.i]
    if k + len(down) > limit:
        return "far"
    return "".join("^" + up[j].dep_ for j in range(k)) + "".join(reversed(down))


def source_candidates(cue: Token, cue_tokens: Sequence[int], ix: DocIndex) -> list[int]:
    us, ue = ix.unit_start[cue.i], ix.unit_end[cue.i]
    skip = set(cue_tokens)
    return [j for j in range(us, ue) if j not in skip and ix.doc[j].pos_ in SOURCE_POS]


def source_features(cue: Token, cand: Token, ix: DocIndex) -> list[str]:
    lem = cue.lemma_.lower()
    path = _path(cue, cand)
    dist = cand.i - cue.i
    direction = "R" if dist > 0 else "L"
    cpos = cand.pos_
    f = [
        "bias",
        "path=" + path,
        f"lpath={lem}|{path}",
        f"cdpath={cue.dep_}|{path}",
        f"ppath={cpos}|{path}",
        f"cd={cand.dep_}|{cpos}",
        "ce=" + cand.ent_type_,
        f"ce_path={cand.ent_type_}|{path}",
        "dist=" + direction + _bucket(abs(dist)),
        f"lc={lem}|{cand.dep_}",
        f"q={ix.quote[cue.i] >= 0}|{ix.quote[cand.i] >= 0}|{ix.quote[cue.i] == ix.quote[cand.i]}",
    ]
    if cpos in ("PRON", "DET"):
        f.append("cw=" + cand.lower_)
        f.append(f"cw_path={cand.lower_}|{path}")
    else:
        f.append("cl=" + cand.lemma_.lower())
    for c in cand.children:
        if c.dep_ in ("poss", "compound", "appos", "prep", "det", "amod", "case"):
            f.append("cc=" + c.dep_)
    return f


def none_source_features(cue: Token, ix: DocIndex) -> list[str]:
    lem = cue.lemma_.lower()
    deps = sorted({c.dep_ for c in cue.children})
    f = ["none", "none_l=" + lem, f"none_d={cue.dep_}|{cue.pos_}", f"none_hd={cue.head.dep_}"]
    f += ["none_cd=" + d for d in deps]
    f.append(f"none_subj={any(d in SUBJECT_DEPS for d in deps)}|{'agent' in deps}")
    f.append(f"none_q={ix.quote[cue.i] >= 0}")
    return f


def source_span(head: Token, cue_tokens: Sequence[int], table: dict[str, float]) -> list[int]:
    """The source phrase around its head: its subtree minus children annotators usually leave out."""
    cue_set = set(cue_tokens)
    keep = [head.i]
    for c in head.children:
        sub = [x.i for x in c.subtree]
        if cue_set.intersection(sub):
            continue
        if table.get(c.dep_, 1.0) >= 0.5:
            keep.extend(sub)
    keep.sort()
    toks = _run_around(keep, head.i)
    doc = head.doc
    while len(toks) > 1 and (doc[toks[0]].is_punct or doc[toks[0]].is_space):
        toks.pop(0)
    while len(toks) > 1 and (doc[toks[-1]].is_space or doc[toks[-1]].text in ("(", "—", "–", "-")):
        toks.pop()
    return toks


# ----------------------------------------------------------------------------------------- content


@dataclass(slots=True)
class ContentCandidate:
    tokens: tuple[int, ...]  # sorted token indices
    origins: set[str]


def _clip(tokens: Iterable[int], lo: int, hi: int, skip: set[int]) -> tuple[int, ...]:
    return tuple(sorted(j for j in tokens if lo <= j < hi and j not in skip))


def _only_punct(doc: Doc, a: int, b: int) -> bool:
    return all(doc[j].is_punct or doc[j].is_space for j in range(a, b))


#: Right-hand children that end the core of a phrase ('a ruling [that ...]', 'he would try[, vowing ...]').
CORE_CUT = frozenset({"advcl", "conj", "cc", "parataxis", "relcl", "acl", "appos", "punct", "npadvmod", "dep"})
SENT_END = frozenset({".", "?", "!", "\n", "\n\n"})
CLAUSE_BREAK = frozenset({",", ";", "—", "–", "―", "(", ":", "--"})


def _subtree_span(tok: Token) -> range:
    return range(tok.left_edge.i, tok.right_edge.i + 1)


def _core_span(tok: Token) -> range:
    """tok's subtree cut before its first right-hand clause-like child."""
    end = tok.right_edge.i + 1
    for c in tok.rights:
        if c.dep_ in CORE_CUT:
            end = c.left_edge.i
            break
    return range(tok.left_edge.i, max(end, tok.i + 1))


def content_candidates(
    cue: Token, cue_tokens: Sequence[int], source_tokens: Sequence[int], ix: DocIndex
) -> list[ContentCandidate]:
    doc = ix.doc
    us, ue = ix.unit_start[cue.i], ix.unit_end[cue.i]
    cue_lo, cue_hi = min(cue_tokens), max(cue_tokens) + 1
    skip = set(cue_tokens) | set(source_tokens)
    # The content stays in the cue's paragraph unless a quotation carries it further.
    p = ix.para[cue.i]
    plo = us
    while plo > 0 and ix.para[plo - 1] == p:
        plo -= 1
    phi = ue
    while phi < len(doc) and ix.para[phi] == p:
        phi += 1
    found: dict[tuple[int, ...], set[str]] = {}

    def add(tokens: Iterable[int], origin: str, lo: int = us, hi: int = ue) -> None:
        toks = tuple(j for j in _clip(tokens, lo, hi, skip) if not doc[j].is_space)
        if toks:
            found.setdefault(toks, set()).add(origin)

    def add_phrase(tok: Token, origin: str) -> None:
        add(_subtree_span(tok), origin)
        add(_core_span(tok), "core:" + origin)

    for c in cue.children:
        if c.dep_ in CONTENT_CHILD_DEPS and c.i not in skip:
            add_phrase(c, "child:" + c.dep_)
            if c.dep_ == "prep":
                for g in c.children:
                    if g.dep_ in ("pobj", "pcomp"):
                        add_phrase(g, "child:prep>pobj")
    # A multi-word cue ('spoke about', 'called on') governs its content through its last preposition.
    for j in cue_tokens:
        t = doc[j]
        if j != cue.i and t.dep_ in ("prep", "agent", "dobj"):
            for g in t.children:
                if g.dep_ in ("pobj", "pcomp", "prep") and g.i not in skip:
                    add_phrase(g, "cue-prep>" + g.dep_)
    head = cue.head
    if head.i != cue.i:
        own = {x.i for x in cue.subtree}
        add((x.i for x in head.subtree if x.i not in own), "head-minus:" + cue.dep_)
    src_lo = min(source_tokens) if source_tokens else cue_lo
    src_hi = max(source_tokens) + 1 if source_tokens else cue_hi
    add(range(cue_hi, ue), "after")
    brk = cue_hi
    while brk < ue and not (doc[brk].text in CLAUSE_BREAK and ix.quote[brk] < 0 and brk > cue_hi):
        brk += 1
    if brk < ue:
        add(range(cue_hi, brk), "after-clause")
    add(range(us, min(cue_lo, src_lo)), "before")
    if cue_hi < len(doc) and doc[cue_hi].text == ":":
        add(range(cue_hi + 1, phi), "after-colon", plo, phi)
    # Quotations right before the speech tag or right after it (possibly over several paragraphs).
    tag_lo, tag_hi = min(cue_lo, src_lo), max(cue_hi, src_hi)
    before_q = after_q = None
    r = ix.quote[tag_lo - 1] if tag_lo > 0 else -1
    colon = cue_hi < len(doc) and doc[cue_hi].text == ":"
    for k, (qs, qe) in enumerate(ix.regions):
        if qe <= tag_lo and qe >= us - 1 and _only_punct(doc, qe, tag_lo):
            before_q = k
        if qs >= tag_hi and _only_punct(doc, tag_hi, qs):
            # Past the end of the tag's sentence only after 'said:'.
            if colon or not any(doc[j].text in SENT_END or "\n" in doc[j].text for j in range(tag_hi, qs)):
                after_q = k
            break
        if qs >= tag_hi:
            break
    if r >= 0 and before_q is None and ix.quote[cue.i] != r:
        before_q = r
    everywhere = (0, len(doc))
    if before_q is not None:
        qs, qe = ix.regions[before_q]
        add(range(qs, qe), "quote-before", *everywhere)
        # '"A," she said. "B."': the quotation resumes right after the speech tag's sentence.
        nxt = before_q + 1
        if nxt < len(ix.regions) and ix.regions[nxt][0] >= ue and _only_punct(doc, ue, ix.regions[nxt][0]):
            pieces = _follow(ix, nxt)
            add(
                [*range(qs, qe), *(j for k in pieces for j in range(*ix.regions[k]))],
                "quote-before+next",
                *everywhere,
            )
    if after_q is not None:
        pieces = _follow(ix, after_q)
        add(range(*ix.regions[after_q]), "quote-after", *everywhere)
        if len(pieces) > 1:
            add((j for k in pieces for j in range(*ix.regions[k])), "quote-after-paras", *everywhere)
        if before_q is not None:
            qs, qe = ix.regions[before_q]
            add([*range(qs, qe), *range(*ix.regions[after_q])], "quote-both", *everywhere)
    return [ContentCandidate(t, o) for t, o in found.items()]


def _follow(ix: DocIndex, r: int, limit: int = 6) -> list[int]:
    out = [r]
    while ix.region_next[out[-1]] >= 0 and len(out) < limit:
        out.append(ix.region_next[out[-1]])
    return out


def content_features(cue: Token, cand: ContentCandidate, ix: DocIndex) -> list[str]:
    doc = ix.doc
    toks = cand.tokens
    lem = cue.lemma_.lower()
    first, last = doc[toks[0]], doc[toks[-1]]
    n = len(toks)
    quoted = first.text in QUOTES and (last.text in QUOTES or (n > 1 and doc[toks[-2]].text in QUOTES))
    f = ["bias", "len=" + _bucket(n), f"first={first.lower_}", f"firstp={first.pos_}", f"quoted={quoted}"]
    f.append(f"side={'R' if toks[0] > cue.i else 'L' if toks[-1] < cue.i else 'M'}")
    f.append(f"lquoted={lem}|{quoted}")
    paras = ix.para[toks[-1]] - ix.para[toks[0]]
    f.append(f"paras={min(paras, 3)}")
    for o in sorted(cand.origins):
        f.append("o=" + o)
        f.append(f"lo={lem}|{o}")
        f.append(f"do={cue.dep_}|{o}")
        f.append(f"qo={quoted}|{o}")
        f.append(f"no={_bucket(n)}|{o}")
    f.append("ocount=" + str(len(cand.origins)))
    f.append(f"cue_q={ix.quote[cue.i] >= 0}")
    inside = set(toks)
    roots = [doc[j] for j in toks if doc[j].head.i not in inside or doc[j].head.i == j]
    root = roots[0] if roots else first
    f.append(f"root={root.dep_}|{root.pos_}")
    f.append(f"lroot={lem}|{root.dep_}")
    # A good content is usually one constituent: say how the pieces attach outside the candidate.
    f.append("nroots=" + _bucket(len(roots)))
    for r in roots[:4]:
        if r.is_punct:
            continue
        where = "cue" if r.head.i == cue.i else "out"
        f.append(f"ext={where}|{r.dep_}")
    for c in root.children:
        if c.i not in inside and not c.is_punct:
            f.append(f"excl={c.dep_}|{'R' if c.i > root.i else 'L'}")
    nxt = toks[-1] + 1
    while nxt < len(doc) and doc[nxt].is_space:
        nxt += 1
    f.append("next=" + (doc[nxt].lower_ if nxt < len(doc) and doc[nxt].is_punct else doc[nxt].pos_ if nxt < len(doc) else "<end>"))
    if nxt + 1 < len(doc) and doc[nxt].is_punct:
        f.append(f"next2={doc[nxt].lower_}|{doc[nxt + 1].pos_}|{doc[nxt + 1].dep_}")
    prv = toks[0] - 1
    f.append("prev=" + (doc[prv].lower_ if prv >= 0 else "<start>"))
    commas = sum(1 for j in toks if doc[j].text == ",")
    verbs = sum(1 for j in toks if doc[j].pos_ in ("VERB", "AUX"))
    f.append(f"commas={min(commas, 3)}")
    f.append(f"verbs={min(verbs, 3)}")
    f.append(f"gaps={sum(1 for a, b in zip(toks, toks[1:]) if b != a + 1)}")
    f.append(f"has_quote={any(doc[j].text in QUOTES for j in toks)}")
    return f


def to_char_spans(doc: Doc, tokens: Sequence[int]) -> list[tuple[int, int]]:
    """Contiguous runs of tokens as character spans (whitespace between tokens of a run included)."""
    spans: list[tuple[int, int]] = []
    prev = -2
    for j in tokens:
        t = doc[j]
        if j == prev + 1 and spans:
            spans[-1] = (spans[-1][0], t.idx + len(t.text))
        else:
            spans.append((t.idx, t.idx + len(t.text)))
        prev = j
    return spans


def trim_content(doc: Doc, tokens: Sequence[int]) -> list[int]:
    """Drop edge punctuation, except that a closing quotation keeps the punctuation inside it."""
    toks = [j for j in tokens if not doc[j].is_space]
    while toks and doc[toks[0]].text in TRIM_PUNCT:
        toks.pop(0)
    while toks and doc[toks[-1]].text in TRIM_PUNCT:
        toks.pop()
    return toks
