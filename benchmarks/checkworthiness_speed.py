"""Check-worthiness scoring speed on the CheckThat! 2024 dev sentences, spaCy tagging included.

Scores every installed model (the linear default; the semantic one when the `[semantic]` extra is
installed) with `model.score(texts)` after a short warm-up, and prints the best of `--repeat` passes;
also written, with date, command, machine and commit, to benchmarks/results/checkworthiness_speed.json.

    python benchmarks/checkworthiness_speed.py --data ../shared/data/checkworthiness
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from sourcetrace.eval.checkworthiness import load_split
from sourcetrace.eval.runinfo import run_record
from sourcetrace.nlp.checkworthiness.model import CheckworthinessModel
from sourcetrace.nlp.checkworthiness.semantic import SemanticCheckworthinessModel, semantic_available
from sourcetrace.nlp.loader import load_tagger_pipeline

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "results" / "checkworthiness_speed.json"


def sentences_per_second(model: CheckworthinessModel, texts: list[str], repeat: int) -> float:
    model.score(texts[:64])  # warm-up: loads MiniLM, fills caches
    best = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        model.score(texts)
        best = max(best, len(texts) / (time.perf_counter() - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "checkworthiness")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", type=Path, default=OUT,
                        help="where to write the JSON result")
    args = parser.parse_args()
    texts = load_split(args.data, "dev").texts
    nlp = load_tagger_pipeline()
    models: dict[str, CheckworthinessModel] = {"linear": CheckworthinessModel.load(nlp=nlp)}
    if semantic_available():
        models["semantic"] = SemanticCheckworthinessModel.load(nlp=nlp)
    rates: dict[str, float] = {}
    for name, model in models.items():
        rates[name] = round(sentences_per_second(model, texts, args.repeat), 1)
        print(f"{name}: {rates[name]:,.0f} sentences/s ({len(texts)} sentences)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    result = {"run": run_record(), "sentences": len(texts), "repeat": args.repeat, "sentences_per_s": rates}
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
