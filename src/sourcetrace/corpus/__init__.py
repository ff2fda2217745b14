"""The corpus layer: a DuckDB store of analysed articles, filled by `sourcetrace corpus ingest`.

Nothing heavy is imported here, so `sourcetrace --help` stays fast; import the submodules you need
(`sourcetrace.corpus.store`, `.readers`, `.ingest`, `.queries`).
"""
