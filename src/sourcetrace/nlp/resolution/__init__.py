"""Speaker resolution: every mention of a source, named, described or pronominal, tied to one entity.

- `person_names`: titles, initials, particles, first names and surnames of person names;
- `gender`: a first name's gender from a published name list (data card in `data/`);
- `pronouns`: a learned pronoun-antecedent scorer, trained on GAP (Wikipedia text, public gold);
- `mentions`: the article's entities clustered from their mentions, with roles and affiliations.
"""
