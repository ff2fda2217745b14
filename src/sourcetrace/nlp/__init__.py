"""The NLP components: one spaCy `Doc` through the pipeline, results kept as extension attributes.

- `components`: the registered spaCy components and the `Doc._.sourcetrace_*` extensions;
- `attribution`: cues, sources, contents and the chains of intermediaries;
- `resolution`: speakers (names, descriptions, pronouns) tied to one entity;
- `claims`: what the article asserts, clause by clause;
- `framing`, `checkworthiness`, `hedging`: how each claim is framed and whether it is worth checking;
- `loader`: the one spaCy pipeline loader; `gcpause`: the garbage-collector pause around batches.

Trainers live in `sourcetrace.training`, never imported from here.
"""
