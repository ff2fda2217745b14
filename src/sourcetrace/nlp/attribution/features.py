"""Candidates and features for the learned attribution tagger.

Shared by training (`train.py`, which labels candidates from gold spans) and inference (`tagger.py`),
so both see exactly the same candidates and feature strings. Everything here reads only token text,
lemma, coarse POS, dependency label, head and entity type, so any English spaCy pipeline with a
parser works.

Feature strings are hashed (sklearn FeatureHasher in training, the same hash in `tagger.HashedWeights` at
inference), so no vocabulary is stored in the model.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from spacy.attrs import DEP, ENT_TYPE, HEAD, IS_PUNCT, IS_SPACE, LEMMA, LIKE_NUM, LOWER, ORTH, POS
from spacy.tokens import Doc, Token

from sourcetrace.nlp.attribution.types import sentence_tokens

OPEN_QUOTES = frozenset({"“", "``", "„", "«"})
CLOSE_QUOTES = frozenset({"”", "»"})
# Straight marks open or close by position; some outlets write '' for both.
AMBIGUOUS_QUOTES = frozenset({'"', "''"})
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
OPENING = frozenset({"(", "[", "{", "—", "–", "-", "--", "“", "‘", "``"})
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
    "expression": _words(
        "offer express voice issue share cast sign remind nominate assail chide vouch bemoan deride liken "
        "allude lambast articulate disavow recite proclaim rebuff unveil downplay clarify opine posit "
        "query utter trumpet herald preach repudiate affirm reaffirm contradict muse mull coin envision "
        "contemplate interpret hear inform persuade convince encourage appeal invoke cheer boo insult "
        "trash savage bash hammer revile admire revere relish retweet rip pan berate scold rebuke "
        "pan blast laud extol tout acknowledge highlight stress pledge insist vow swear"
    ),
    "noun": _words(
        "statement remark comment claim assertion argument allegation accusation criticism praise report "
        "announcement interview speech tweet post letter memo email message warning promise pledge vow "
        "threat call demand request question answer response reply testimony view opinion belief "
        "position stance concern fear hope expectation prediction suggestion proposal recommendation "
        "endorsement support opposition decision plan estimate analysis survey poll study finding data "
        "record document book article column editorial op-ed ad advertisement video footage transcript "
        "filing lawsuit complaint ruling verdict judgment memoir essay release notice order insistence "
        "argument case line message slogan rhetoric attack dig swipe jab criticism rebuke reference "
        "mention note explanation account description admission denial confirmation assurance "
        "disagreement advice strategy understanding goal refusal effort speculation idea assessment "
        "policy priority perception recognition rejection reluctance conversation word view vision "
        "agenda proposal pitch appeal plea criticism outrage anger concern skepticism doubt"
    ),
    "person": _words(
        "official spokesman spokeswoman spokesperson aide adviser advisor source expert analyst lawmaker "
        "senator governor president candidate voter critic supporter leader member director chairman "
        "chairwoman secretary minister campaign committee group people officer attorney lawyer judge "
        "economist strategist pollster researcher scientist professor author reporter journalist editor "
        "writer columnist host anchor executive ceo founder manager staff staffer representative "
        "congressman congresswoman delegate democrat republican nominee rival opponent ally friend "
        "witness resident activist advocate organizer organiser party administration agency department "
        "ministry government office court police military army spokesmen officials sources experts"
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


def lemma_classes(lemma: str) -> tuple[str, ...]:
    return LEMMA_CLASSES.get(lemma, ())


@dataclass(slots=True)
class DocIndex:
    """Per-document lookups computed once, so candidate generation stays cheap."""

    doc: Doc
    texts: list[str]  # token texts
    words: list[str]  # lower-cased texts, numbers as '#num'
    pos: list[str]  # coarse POS
    lemmas: list[str]  # lower-cased lemmas
    deps: list[str]  # dependency labels
    heads: list[int]  # head token indices
    children: list[list[int]]  # child token indices, in order
    ents: list[str]  # entity types ('' outside entities)
    punct: list[bool]  # punctuation or whitespace
    unit_start: list[int]  # first token of the token's unit (sentence clipped to its paragraph)
    unit_end: list[int]  # one past the last token of the unit
    unit_quote: list[bool]  # whether the token's unit contains quoted text
    para: list[int]  # paragraph number; 0 is the title line
    quote: list[int]  # index into `regions` of the quotation the token is inside, or -1
    regions: list[tuple[int, int]]  # quotations as token spans, marks included, end exclusive
    region_next: list[int]  # the region continuing this one in the next paragraph, or -1
    para_bounds: list[tuple[int, int]]  # first and one-past-last token of each paragraph


_INDEX_ATTRS = [ORTH, LOWER, POS, LEMMA, DEP, HEAD, ENT_TYPE, IS_PUNCT, IS_SPACE, LIKE_NUM]


def index_doc(doc: Doc) -> DocIndex:
    n = len(doc)
    # One to_array call and one string lookup per distinct value: much cheaper than touching Tokens.
    arr = doc.to_array(_INDEX_ATTRS)
    strings = doc.vocab.strings

    def column(k: int, fold: bool = False) -> np.ndarray:
        ids, inverse = np.unique(arr[:, k], return_inverse=True)
        values = [strings[int(x)] if x else "" for x in ids]
        return np.array([v.lower() for v in values] if fold else values, dtype=object)[inverse.ravel()]

    texts: list[str] = column(0).tolist()
    pos: list[str] = column(2).tolist()
    lemmas: list[str] = column(3, fold=True).tolist()
    deps: list[str] = column(4).tolist()
    ents: list[str] = column(6).tolist()
    words: list[str] = np.where(arr[:, 9] != 0, "#num", column(1)).tolist()
    punct: list[bool] = ((arr[:, 7] != 0) | (arr[:, 8] != 0)).tolist()
    heads: list[int] = (arr[:, 5].astype(np.int64) + np.arange(n, dtype=np.int64)).tolist()
    children: list[list[int]] = [[] for _ in range(n)]
    for i, h in enumerate(heads):
        if h != i:
            children[h].append(i)
    # Paragraph number: newlines seen before the token (a newline token ends its paragraph).
    newline = np.fromiter(("\n" in t for t in texts), dtype=bool, count=n)
    para: list[int] = (np.cumsum(newline) - newline).tolist()
    unit_start = [0] * n
    unit_end = [0] * n
    for sent_start, sent_end in sentence_tokens(doc):
        start = sent_start
        for i in range(sent_start, sent_end):
            if i > start and para[i] != para[i - 1]:
                for j in range(start, i):
                    unit_end[j] = i
                start = i
            unit_start[i] = start
        for j in range(start, sent_end):
            unit_end[j] = sent_end
    regions, closed = _quote_regions(texts, para)
    quote = [-1] * n
    for r, (s, e) in enumerate(regions):
        for i in range(s, e):
            quote[i] = r
    quoted_units = {unit_start[i] for i in range(n) if quote[i] >= 0}
    unit_quote = [unit_start[i] in quoted_units for i in range(n)]
    # News style: a quote running over paragraphs leaves each paragraph unclosed and reopens the next.
    region_next = [-1] * len(regions)
    for r in range(len(regions) - 1):
        s, e = regions[r]
        ns, _ = regions[r + 1]
        if not closed[r] and para[ns] == para[e - 1] + 1 and _first_word(texts, para, ns):
            region_next[r] = r + 1
    return DocIndex(
        doc, texts, words, pos, lemmas, deps, heads, children, ents, punct, unit_start, unit_end,
        unit_quote, para, quote, regions, region_next, _paragraph_bounds(para),
    )  # fmt: skip


def _paragraph_bounds(para: list[int]) -> list[tuple[int, int]]:
    # Paragraph numbers never decrease along the doc, so each paragraph is one run of tokens.
    bounds: list[tuple[int, int]] = []
    for i, p in enumerate(para):
        while len(bounds) <= p:
            bounds.append((i, i))
        bounds[p] = (bounds[p][0], i + 1)
    return bounds


def _first_word(texts: list[str], para: list[int], i: int) -> bool:
    j = i - 1
    while j >= 0 and texts[j].isspace():
        j -= 1
    return j < 0 or para[j] != para[i]


def _quote_regions(texts: list[str], para: list[int]) -> tuple[list[tuple[int, int]], list[bool]]:
    regions: list[tuple[int, int]] = []
    closed: list[bool] = []
    open_at = -1
    for i, text in enumerate(texts):
        if open_at >= 0 and para[i] != para[open_at]:
            # Unclosed at the end of its paragraph: the quote ends with the paragraph.
            end = i
            while end > open_at + 1 and texts[end - 1].isspace():
                end -= 1
            regions.append((open_at, end))
            closed.append(False)
            open_at = -1
        if text not in QUOTES:
            continue
        if text in OPEN_QUOTES or (text in AMBIGUOUS_QUOTES and open_at < 0):
            open_at = i
        elif open_at >= 0:
            regions.append((open_at, i + 1))
            closed.append(True)
            open_at = -1
    if open_at >= 0:
        regions.append((open_at, len(texts)))
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


PrefilterKey = tuple[str, str, str, tuple[str, ...]]


def cue_prefilter_key(i: int, ix: DocIndex) -> PrefilterKey:
    """All the prefilter looks at: lemma, POS, dependency and the children's dependencies. Few
    distinct keys recur across articles, so the tagger can keep one score per key."""
    deps = ix.deps
    return ix.lemmas[i], ix.pos[i], deps[i], tuple([deps[c] for c in ix.children[i]])


def cue_prefilter_features(i: int, ix: DocIndex) -> list[str]:
    """A handful of features for a cheap first pass that discards most non-cue tokens."""
    return prefilter_key_features(cue_prefilter_key(i, ix))


def prefilter_key_features(key: PrefilterKey) -> list[str]:
    lem, pos, dep, child_deps = key
    f = ["bias", "l=" + lem, "p=" + pos, f"pd={pos}|{dep}", f"ld={lem}|{dep}"]
    for cls in lemma_classes(lem):
        f.append("cls=" + cls)
        f.append(f"cpd={cls}|{pos}|{dep}")
    f += ["cd=" + d for d in child_deps]
    return f


CueKey = tuple[str, str, str, str, str, str, str]


def cue_key(i: int, ix: DocIndex) -> CueKey:
    """What the first features of a cue candidate depend on: the token and its head. The tagger keeps
    the summed weight of those features per key, as the same few thousand keys recur."""
    h = ix.heads[i]
    return ix.words[i], ix.lemmas[i], ix.pos[i], ix.deps[i], ix.lemmas[h], ix.deps[h], ix.pos[h]


def cue_features(i: int, ix: DocIndex) -> list[str]:
    return cue_key_features(cue_key(i, ix)) + cue_context_features(i, ix)


def cue_key_features(key: CueKey) -> list[str]:
    """The leading features of `cue_features`, from the token and its head alone."""
    w, lem, pos, dep, head_lemma, head_dep, head_pos = key
    f = [
        "bias",
        "w=" + w,
        "l=" + lem,
        "p=" + pos,
        "d=" + dep,
        f"lp={lem}|{pos}",
        f"ld={lem}|{dep}",
        f"pd={pos}|{dep}",
        "suf=" + w[-3:],
        "hl=" + head_lemma,
        f"hd={head_dep}|{head_pos}",
        f"l_hd={lem}|{dep}|{head_pos}",
    ]
    for cls in lemma_classes(lem) or ("none",):
        f.append("cls=" + cls)
        f.append(f"cls_pd={cls}|{pos}|{dep}")
    return f


def cue_context_features(i: int, ix: DocIndex) -> list[str]:
    """The rest of `cue_features`: children, neighbours, quotation and position."""
    words, tags, lemmas, deps, ents, kids = ix.words, ix.pos, ix.lemmas, ix.deps, ix.ents, ix.children
    lem, dep = lemmas[i], deps[i]
    h = ix.heads[i]
    classes = lemma_classes(lem) or ("none",)
    f: list[str] = []
    has_subj = has_clause = False
    for c in kids[i]:
        cd = deps[c]
        f.append("cd=" + cd)
        f.append(f"lcd={lem}|{cd}")
        if cd in SUBJECT_DEPS:
            has_subj = True
            f.append(f"subj={tags[c]}|{ents[c]}")
            f.append(f"lsubj={lem}|{tags[c]}")
            for cls in lemma_classes(lemmas[c]):
                f.append("subjcls=" + cls)
            if tags[c] == "PRON":
                f.append("subjw=" + words[c])
        elif cd in ("ccomp", "xcomp", "parataxis"):
            has_clause = True
            f.append(f"lclause={lem}|{cd}")
            for g in kids[c]:
                if deps[g] == "mark":
                    f.append(f"mark={lem}|{words[g]}")
        elif cd in ("prep", "prt", "agent", "aux", "auxpass", "neg", "dative", "mark", "advmod"):
            f.append(f"cw={cd}|{words[c]}")
            f.append(f"lcw={lem}|{cd}|{words[c]}")
        elif cd in ("dobj", "obj", "attr", "oprd"):
            f.append(f"obj={lemmas[c]}")
            f.append(f"lobj={lem}|{tags[c]}")
            for cls in lemma_classes(lemmas[c]):
                f.append("objcls=" + cls)
    f.append(f"subj_clause={has_subj}|{has_clause}")
    f.append(f"l_subj_clause={lem}|{has_subj}|{has_clause}")
    for cls in classes:
        f.append(f"cls_subj_clause={cls}|{has_subj}|{has_clause}")
    for cls in lemma_classes(lemmas[h]):
        f.append(f"headcls={cls}|{dep}")
    if dep in ("relcl", "acl", "appos"):
        f.append(f"noun_head={tags[h]}|{ents[h]}|{dep}")
    n = len(words)
    for k in (-2, -1, 1, 2):
        j = i + k
        if 0 <= j < n:
            f.append(f"n{k}={words[j]}")
            f.append(f"np{k}={tags[j]}")
        else:
            f.append(f"n{k}=<edge>")
    if i + 1 < n:
        f.append(f"l_next={lem}|{words[i + 1]}")
    if i > 0:
        f.append(f"l_prev={lem}|{words[i - 1]}")
    in_quote = ix.quote[i] >= 0
    us = ix.unit_start[i]
    unit_quote = ix.unit_quote[i]
    f.append(f"q={in_quote}|{unit_quote}")
    f.append(f"lq={lem}|{in_quote}|{unit_quote}")
    f.append("pos_in_unit=" + _bucket(i - us))
    if ix.para[i] == 0:
        f.append("title")
    if i == us:
        f.append("sent_start")
    return f


def cue_candidates(ix: DocIndex) -> list[int]:
    texts = ix.texts
    return [i for i, p in enumerate(ix.pos) if p in CUE_POS or texts[i] == ":"]


def cue_child_keys(head: Token, child: Token) -> tuple[str, str, str]:
    """Inclusion-table keys of a cue head's child, most specific first: head lemma + dep + word,
    dep + word, dep."""
    dep, word = child.dep_, child.lower_
    return f"{head.lemma_.lower()}|{dep}|{word}", f"{dep}|{word}", dep


def _share(table: dict[str, float], keys: tuple[str, ...], prefix: str = "") -> float:
    for key in keys:
        value = table.get(prefix + key)
        if value is not None:
            return value
    return 0.0


def expand_cue(tok: Token, table: dict[str, float]) -> list[int]:
    """Token indices of the cue span around its head, using the learned inclusion table.

    `table` maps child keys (see `cue_child_keys`) to the share of train cues that include such a
    child, and 'sub:'-prefixed keys to the share that also include the child's whole subtree
    ('said in a statement' does, 'according to Rubio' does not).
    """
    keep = [tok.i]
    for c in tok.children:
        keys = cue_child_keys(tok, c)
        if _share(table, keys) < 0.5:
            continue
        if _share(table, keys, "sub:") >= 0.5:
            keep.extend(x.i for x in c.subtree if not x.is_space)
        else:
            keep.append(c.i)
    keep.sort()
    toks = _run_around(keep, tok.i)
    doc = tok.doc
    # A cue never starts with punctuation and ends with it only for 'X said:'.
    while len(toks) > 1 and toks[0] != tok.i and doc[toks[0]].is_punct:
        toks.pop(0)
    while len(toks) > 1 and toks[-1] != tok.i and doc[toks[-1]].is_punct and doc[toks[-1]].text != ":":
        toks.pop()
    return toks


def _run_around(keep: list[int], i: int) -> list[int]:
    """The contiguous run of sorted token indices that contains i."""
    lo = hi = keep.index(i)
    while lo > 0 and keep[lo - 1] == keep[lo] - 1:
        lo -= 1
    while hi + 1 < len(keep) and keep[hi + 1] == keep[hi] + 1:
        hi += 1
    return keep[lo : hi + 1]


# ----------------------------------------------------------------------------------------- sources


def _path(ix: DocIndex, a: int, b: int, limit: int = 4) -> str:
    """Dependency path from a to b: '^dep' going up from a, 'vdep' going down to b."""
    heads, deps = ix.heads, ix.deps
    up = [a]
    while heads[up[-1]] != up[-1] and len(up) <= limit + 1:
        up.append(heads[up[-1]])
    down: list[str] = []
    cur = b
    while cur not in up:
        if heads[cur] == cur or len(down) > limit:
            return "far"
        down.append("v" + deps[cur])
        cur = heads[cur]
    k = up.index(cur)
    if k + len(down) > limit:
        return "far"
    return "".join("^" + deps[up[j]] for j in range(k)) + "".join(reversed(down))


#: How far (in tokens) either side of a cue its source and content candidates may reach. Far beyond any
#: news sentence; it only bites on a "sentence" the parser could not split (a long line of quote marks
#: and speech verbs without a full stop), where every cue reaching the whole line made analysis
#: quadratic (25,000 characters took 11 s, 100,000 over a minute).
MAX_REACH = 250


def reach(ix: DocIndex, head: int, lo: int, hi: int) -> tuple[int, int]:
    """The unit of a cue (head token `head`, tokens lo..hi-1), clipped to MAX_REACH tokens either side."""
    return max(ix.unit_start[head], lo - MAX_REACH), min(ix.unit_end[head], hi + MAX_REACH)


def source_candidates(cue: int, cue_tokens: Sequence[int], ix: DocIndex) -> list[tuple[int, str]]:
    """Noun and pronoun heads of the cue's sentence within a short dependency path of the cue, with
    that path (over a third of all candidates are farther, yet only ~1% of train sources)."""
    us, ue = reach(ix, cue, min(cue_tokens), max(cue_tokens) + 1)
    skip = set(cue_tokens)
    tags = ix.pos
    out = []
    for j in range(us, ue):
        if j not in skip and tags[j] in SOURCE_POS:
            path = _path(ix, cue, j)
            if path != "far":
                out.append((j, path))
    return out


def source_features(cue: int, cand: int, path: str, ix: DocIndex) -> list[str]:
    lem = ix.lemmas[cue]
    dist = cand - cue
    cpos, cdep, cent = ix.pos[cand], ix.deps[cand], ix.ents[cand]
    q = ix.quote
    f = [
        "bias",
        "path=" + path,
        f"lpath={lem}|{path}",
        f"cdpath={ix.deps[cue]}|{path}",
        f"ppath={cpos}|{path}",
        f"cd={cdep}|{cpos}",
        "ce=" + cent,
        f"ce_path={cent}|{path}",
        "dist=" + ("R" if dist > 0 else "L") + _bucket(abs(dist)),
        f"lc={lem}|{cdep}",
        f"q={q[cue] >= 0}|{q[cand] >= 0}|{q[cue] == q[cand]}",
    ]
    if cpos in ("PRON", "DET"):
        w = ix.words[cand]
        f.append("cw=" + w)
        f.append(f"cw_path={w}|{path}")
    else:
        f.append("cl=" + ix.lemmas[cand])
    deps = ix.deps
    for c in ix.children[cand]:
        if deps[c] in ("poss", "compound", "appos", "prep", "det", "amod", "case"):
            f.append("cc=" + deps[c])
    return f


def none_source_features(cue: int, ix: DocIndex) -> list[str]:
    lem = ix.lemmas[cue]
    deps = sorted({ix.deps[c] for c in ix.children[cue]})
    f = [
        "none",
        "none_l=" + lem,
        f"none_d={ix.deps[cue]}|{ix.pos[cue]}",
        f"none_hd={ix.deps[ix.heads[cue]]}",
    ]
    f += ["none_cd=" + d for d in deps]
    f.append(f"none_subj={any(d in SUBJECT_DEPS for d in deps)}|{'agent' in deps}")
    f.append(f"none_q={ix.quote[cue] >= 0}")
    return f


def source_span(head: Token, cue_tokens: Sequence[int], table: dict[str, float], ix: DocIndex) -> list[int]:
    """The source phrase around its head: its subtree minus children annotators usually leave out."""
    cue_set = set(cue_tokens)
    lo, hi = ix.unit_start[head.i], ix.unit_end[head.i]
    keep = [head.i]
    for c in head.children:
        sub = [x.i for x in c.subtree]
        if cue_set.intersection(sub):
            continue
        if table.get(c.dep_, 1.0) >= 0.5:
            keep.extend(j for j in sub if lo <= j < hi)
    keep.sort()
    toks = _run_around(keep, head.i)
    texts, punct = ix.texts, ix.punct
    while len(toks) > 1 and punct[toks[0]]:
        toks.pop(0)
    # Annotators keep closing marks ('Ann Lee, a lawyer,', '(R-TX)'), not opening ones.
    while len(toks) > 1 and punct[toks[-1]] and (texts[toks[-1]] in OPENING or texts[toks[-1]].isspace()):
        toks.pop()
    return toks


# ----------------------------------------------------------------------------------------- content


@dataclass(slots=True)
class ContentCandidate:
    tokens: tuple[int, ...]  # sorted token indices
    origins: set[str]


def _clip(tokens: Iterable[int], lo: int, hi: int, skip: set[int]) -> tuple[int, ...]:
    return tuple(sorted(j for j in tokens if lo <= j < hi and j not in skip))


def _only_punct(ix: DocIndex, a: int, b: int) -> bool:
    punct = ix.punct
    return all(punct[j] for j in range(a, b))


#: Right-hand children that end the core of a phrase ('a ruling [that ...]', 'he would try[, vowing ...]').
CORE_CUT = frozenset(
    {"advcl", "conj", "cc", "parataxis", "relcl", "acl", "appos", "punct", "npadvmod", "dep"}
)
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
    texts = ix.texts
    cue_lo, cue_hi = min(cue_tokens), max(cue_tokens) + 1
    us, ue = reach(ix, cue.i, cue_lo, cue_hi)
    skip = set(cue_tokens) | set(source_tokens)
    # The content stays in the cue's paragraph unless a quotation carries it further.
    plo, phi = ix.para_bounds[ix.para[cue.i]]
    found: dict[tuple[int, ...], set[str]] = {}

    def add(tokens: Iterable[int], origin: str, lo: int = us, hi: int = ue) -> None:
        toks = tuple(j for j in _clip(tokens, lo, hi, skip) if not texts[j].isspace())
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
    while brk < ue and not (texts[brk] in CLAUSE_BREAK and ix.quote[brk] < 0 and brk > cue_hi):
        brk += 1
    if brk < ue:
        add(range(cue_hi, brk), "after-clause")
    add(range(us, min(cue_lo, src_lo)), "before")
    colon = cue_hi < len(doc) and texts[cue_hi] == ":"
    if colon:
        add(range(cue_hi + 1, phi), "after-colon", plo, phi)
    # Quotations right before the speech tag or right after it (possibly over several paragraphs).
    tag_lo, tag_hi = min(cue_lo, src_lo), max(cue_hi, src_hi)
    before_q = after_q = None
    r = ix.quote[tag_lo - 1] if tag_lo > 0 else -1
    for k, (qs, qe) in enumerate(ix.regions):
        if qe <= tag_lo and qe >= us - 1 and _only_punct(ix, qe, tag_lo):
            before_q = k
        if qs >= tag_hi and _only_punct(ix, tag_hi, qs):
            # Past the end of the tag's sentence only after 'said:'.
            if colon or not any(texts[j] in SENT_END or "\n" in texts[j] for j in range(tag_hi, qs)):
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
        if nxt < len(ix.regions) and ix.regions[nxt][0] >= ue and _only_punct(ix, ue, ix.regions[nxt][0]):
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


def content_features(cue: int, cand: ContentCandidate, ix: DocIndex) -> list[str]:
    texts, words, tags, deps, heads, punct = ix.texts, ix.words, ix.pos, ix.deps, ix.heads, ix.punct
    n_doc = len(texts)
    toks = cand.tokens
    lem = ix.lemmas[cue]
    cue_dep = deps[cue]
    first, last = toks[0], toks[-1]
    n = len(toks)
    quoted = texts[first] in QUOTES and (texts[last] in QUOTES or (n > 1 and texts[toks[-2]] in QUOTES))
    f = ["bias", "len=" + _bucket(n), f"first={words[first]}", f"firstp={tags[first]}", f"quoted={quoted}"]
    f.append(f"side={'R' if first > cue else 'L' if last < cue else 'M'}")
    f.append(f"lquoted={lem}|{quoted}")
    f.append(f"paras={min(ix.para[last] - ix.para[first], 3)}")
    size = _bucket(n)
    for o in sorted(cand.origins):
        f.append("o=" + o)
        f.append(f"lo={lem}|{o}")
        f.append(f"do={cue_dep}|{o}")
        f.append(f"qo={quoted}|{o}")
        f.append(f"no={size}|{o}")
    f.append("ocount=" + str(len(cand.origins)))
    f.append(f"cue_q={ix.quote[cue] >= 0}")
    inside = set(toks)
    roots = [j for j in toks if heads[j] not in inside or heads[j] == j]
    root = roots[0] if roots else first
    f.append(f"root={deps[root]}|{tags[root]}")
    f.append(f"lroot={lem}|{deps[root]}")
    # A good content is usually one constituent: say how the pieces attach outside the candidate.
    f.append("nroots=" + _bucket(len(roots)))
    for r in roots[:4]:
        if not punct[r]:
            f.append(f"ext={'cue' if heads[r] == cue else 'out'}|{deps[r]}")
    for c in ix.children[root]:
        if c not in inside and not punct[c]:
            f.append(f"excl={deps[c]}|{'R' if c > root else 'L'}")
    nxt = last + 1
    while nxt < n_doc and texts[nxt].isspace():
        nxt += 1
    if nxt < n_doc:
        f.append("next=" + (words[nxt] if punct[nxt] else tags[nxt]))
        if nxt + 1 < n_doc and punct[nxt]:
            f.append(f"next2={words[nxt]}|{tags[nxt + 1]}|{deps[nxt + 1]}")
    else:
        f.append("next=<end>")
    f.append("prev=" + (words[first - 1] if first > 0 else "<start>"))
    commas = verbs = has_quote = 0
    for j in toks:
        t = texts[j]
        commas += t == ","
        has_quote |= t in QUOTES
        verbs += tags[j] in ("VERB", "AUX")
    f.append(f"commas={min(commas, 3)}")
    f.append(f"verbs={min(verbs, 3)}")
    f.append(f"gaps={sum(1 for a, b in zip(toks, toks[1:], strict=False) if b != a + 1)}")
    f.append(f"has_quote={bool(has_quote)}")
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


def trim_content(ix: DocIndex, tokens: Sequence[int]) -> list[int]:
    """Drop edge punctuation and stray quotation marks; a quotation opened inside the content keeps
    its closing mark and the punctuation just before it ('that "we will do better."')."""
    texts, quote, regions = ix.texts, ix.quote, ix.regions
    out = [j for j in tokens if not texts[j].isspace()]

    def strip() -> None:
        while out and texts[out[0]] in TRIM_PUNCT:
            out.pop(0)
        while out and texts[out[-1]] in TRIM_PUNCT:
            out.pop()

    strip()
    # A mark that closes a quotation opened before the content, or opens one after it, is stray.
    while out and texts[out[0]] in QUOTES:
        r = quote[out[0]]
        if r >= 0 and regions[r][0] == out[0]:
            break
        out.pop(0)
        strip()
    while out and texts[out[-1]] in QUOTES:
        r = quote[out[-1]]
        if r >= 0 and out[0] <= regions[r][0] < out[-1]:
            break
        out.pop()
        strip()
    if out:
        last = out[-1]
        r = quote[last]
        if r >= 0 and regions[r][0] >= out[0] and texts[last] not in QUOTES:
            end = regions[r][1]
            # Only punctuation between the content and the closing mark.
            if end - last <= 4 and all(ix.punct[j] for j in range(last + 1, end)):
                out.extend(j for j in range(last + 1, end) if not texts[j].isspace())
    return out
