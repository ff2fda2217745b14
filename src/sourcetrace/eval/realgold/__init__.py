"""Chain gold on real articles of `../shared/data`, annotated by `../shared/ANNOTATION.md`.

- `shared`: the shared articles, addressed by reference (folder and key), with the raw field a gold
  file's offsets point into;
- `selection`: the seeded, stratified choice of articles, their locked third and annotated regions;
- `gold`: the gold file format (offsets and labels, never article text) and its loader;
- `names`: the guide's name rules (surnames with particles, acronyms, distinctive words, head nouns);
- `scoring`: claims, chains, innermost sources, hop types, quote speakers and headlines, by the guide;
- `annotation`: packets for blind annotators, import of their answers, agreement between them.
"""
