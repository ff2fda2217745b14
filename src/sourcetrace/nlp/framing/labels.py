"""The technique names (kept apart from the model so the text report can name them without numpy)."""

#: The 14 technique classes of SemEval-2020 Task 11, spelled as in the corpus.
TECHNIQUES: tuple[str, ...] = (
    "Appeal_to_Authority",
    "Appeal_to_fear-prejudice",
    "Bandwagon,Reductio_ad_hitlerum",
    "Black-and-White_Fallacy",
    "Causal_Oversimplification",
    "Doubt",
    "Exaggeration,Minimisation",
    "Flag-Waving",
    "Loaded_Language",
    "Name_Calling,Labeling",
    "Repetition",
    "Slogans",
    "Thought-terminating_Cliches",
    "Whataboutism,Straw_Men,Red_Herring",
)


def technique_label(technique: str) -> str:
    """'Name_Calling,Labeling' -> 'name calling/labeling', for people reading the report."""
    return technique.replace("_", " ").replace(",", "/").lower()
