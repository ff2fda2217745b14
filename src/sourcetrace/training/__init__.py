"""Trainers and builders: every learned model and data table of the runtime package is rebuilt here.

`make models` runs them on `../shared/data`, from a checkout: the wheel leaves this package out, since an
installed sourcetrace runs its models and never trains them. Nothing in the runtime package (nlp,
matching, corpus, outlets, web, report, ingest) imports it; `tests/test_layout.py` checks both. Each
trainer writes the `.npz` + card that its inference module in the runtime package loads.
"""
