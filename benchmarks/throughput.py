"""Throughput of sourcetrace against the bare spaCy pipeline it is built on, on real news articles.

Reads the BuzzFeed-Webis Fake News Corpus 2016 (articles/NNNN.xml, see its README) from the shared data
folder, loads the model once, then times in the same process, over the same texts:

  (a) the bare spaCy pipeline: `nlp.pipe(texts)` with sourcetrace's own components switched off;
  (b) the full analysis: `Analyzer.analyze_many(documents)`, Reports included.

and reports articles/s, words/s, the ratio b/a and peak resident memory. The two runs alternate for
`--repeat` passes (3 by default) and the ratio is that of the median passes. The articles reserved by
`../shared/ANNOTATION.md` (RESERVED.txt) are skipped. Results go to benchmarks/results/throughput.json.
Targets: (b) at least 0.8x (a); peak RSS under 1.5 GB.

    python benchmarks/throughput.py --limit 400
    python benchmarks/throughput.py --data ../shared/data/buzzfeed_webis_2016 --n-process 2
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# The corpus reader lives in the package (corpus ingest uses it too); the benchmark reuses it.
from sourcetrace.corpus.formats import BuzzfeedArticle as Article
from sourcetrace.corpus.formats import read_buzzfeed
from sourcetrace.eval.runinfo import run_record
from sourcetrace.nlp.loader import own_pipes

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "buzzfeed_webis_2016"
DEFAULT_OUT = REPO / "benchmarks" / "results" / "throughput.json"

TARGET_RATIO = 0.8
TARGET_RSS_MB = 1536.0


def peak_rss_mb() -> dict[str, float]:
    # ru_maxrss is in KiB on Linux, bytes on macOS.
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return {
        "self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale,
        "children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / scale,
    }


@dataclass
class Run:
    name: str
    articles: int
    words: int
    seconds: float
    #: CPU time of this process: unlike wall time it barely moves when other work shares the machine,
    #: so the CPU ratio is the steadier figure on a busy box (meaningful with n_process 1 only).
    cpu_seconds: float

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0

    @property
    def words_per_s(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0


def _timed(name: str, articles: list[Article], words: int, work: Callable[[], int]) -> Run:
    start, cpu_start = time.perf_counter(), time.process_time()
    done = work()
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    if done != len(articles):
        raise RuntimeError(f"{name}: processed {done} of {len(articles)} articles")
    return Run(name, done, words, seconds, cpu_seconds)


def measure(articles: list[Article], *, model: str | None, batch_size: int, n_process: int,
            warmup: int, repeat: int = 1) -> dict[str, Any]:
    from sourcetrace.analyzer import Analyzer
    from sourcetrace.errors import InputError
    from sourcetrace.ingest.decode import check_text
    from sourcetrace.ingest.text import document_from_text
    from sourcetrace.schema import Document

    started = time.perf_counter()
    analyzer = Analyzer(model)
    nlp = analyzer.nlp
    load_seconds = time.perf_counter() - started
    rss_after_load = peak_rss_mb()["self"]

    # Each article goes through the checks and repairs a text file gets (`sourcetrace analyze`, `corpus
    # ingest`): an article those refuse is counted, not analysed. The bare run parses the same texts.
    documents: list[Document] = []
    refused: list[dict[str, str]] = []
    for article in articles:
        try:
            check_text(article.text, article.name)
            documents.append(document_from_text(article.text, title=article.title, outlet=article.portal,
                                                author=article.author, url=article.url))
        except InputError as exc:
            refused.append({"article": Path(article.name).name, "reason": str(exc)})
    texts = [d.text for d in documents]
    words = sum(len(t.split()) for t in texts)
    own = own_pipes(nlp)

    def bare(items: list[str]) -> int:
        with nlp.select_pipes(disable=own):
            return sum(1 for _ in nlp.pipe(items, batch_size=batch_size, n_process=n_process))

    def full(items: list[Document]) -> int:
        return sum(1 for _ in analyzer.analyze_many(items, batch_size=batch_size, n_process=n_process))

    # Warm both paths (lazy imports, first-batch allocations) so neither pays start-up inside the timing.
    if warmup:
        bare(texts[:warmup])
        full(documents[:warmup])

    # The two runs alternate, so a burst of load from something else on the machine lands on both; each
    # side is reported by its median pass.
    bares: list[Run] = []
    fulls: list[Run] = []
    for _ in range(repeat):
        ra = _timed("spaCy pipeline (bare)", articles, words, lambda: bare(texts))
        rb = _timed("sourcetrace analyze_many", articles, words, lambda: full(documents))
        bares.append(ra)
        fulls.append(rb)
        print(f"  pass: bare {ra.seconds:.1f} s, full {rb.seconds:.1f} s, "
              f"ratio {ra.seconds / rb.seconds:.3f} (cpu {ra.cpu_seconds:.1f} s / {rb.cpu_seconds:.1f} s)",
              file=sys.stderr)
    a = sorted(bares, key=lambda r: r.seconds)[len(bares) // 2]
    b = sorted(fulls, key=lambda r: r.seconds)[len(fulls) // 2]
    rss = peak_rss_mb()
    ratio = b.words_per_s / a.words_per_s if a.words_per_s else 0.0
    cpu_ratio = a.cpu_seconds / b.cpu_seconds if b.cpu_seconds and n_process == 1 else None
    import spacy

    return {
        "run": run_record(),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "python": platform.python_version(),
                    "cpus": os.cpu_count()},
        "spacy": spacy.__version__,
        "pipeline": nlp.meta.get("name"),
        "pipeline_components": nlp.pipe_names,
        "sourcetrace_components": own,
        "refused": refused,
        "settings": {"articles": len(articles), "analysed": len(documents), "words": words,
                     "batch_size": batch_size, "n_process": n_process, "warmup": warmup, "repeat": repeat},
        "load_seconds": round(load_seconds, 2),
        "runs": [
            {**asdict(r), "articles_per_s": round(r.articles_per_s, 2), "words_per_s": round(r.words_per_s)}
            for r in (a, b)
        ],
        "ratio_full_over_bare": round(ratio, 3),
        "passes": [{"bare_seconds": round(x.seconds, 2), "full_seconds": round(y.seconds, 2)}
                   for x, y in zip(bares, fulls, strict=True)],
        "cpu_ratio_full_over_bare": round(cpu_ratio, 3) if cpu_ratio is not None else None,
        "rss_mb": {"after_load": round(rss_after_load), "peak_self": round(rss["self"]),
                   "peak_children": round(rss["children"])},
        "targets": {
            "ratio_min": TARGET_RATIO,
            "rss_max_mb": TARGET_RSS_MB,
            "ratio_met": ratio >= TARGET_RATIO,
            "rss_met": max(rss.values()) < TARGET_RSS_MB,
            "refused_max": 0,
            "refused_met": not refused,
        },
    }


def print_table(results: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    s = results["settings"]
    table = Table(title=(f"Throughput: {s['articles']} articles, {s['words']:,} words, "
                         f"batch {s['batch_size']}, n_process {s['n_process']}"))
    table.add_column("run")
    table.add_column("seconds", justify="right")
    table.add_column("articles/s", justify="right")
    table.add_column("words/s", justify="right")
    table.add_column("CPU seconds", justify="right")
    for run in results["runs"]:
        table.add_row(run["name"], f"{run['seconds']:.1f}", f"{run['articles_per_s']:.1f}",
                      f"{run['words_per_s']:,}", f"{run['cpu_seconds']:.1f}")
    console = Console()
    console.print(table)
    t = results["targets"]
    rss = results["rss_mb"]
    mark = {True: "[green]met[/green]", False: "[red]missed[/red]"}
    console.print(f"ratio full / bare: [bold]{results['ratio_full_over_bare']:.2f}[/bold] "
                  f"(target >= {t['ratio_min']}: {mark[t['ratio_met']]})")
    if results.get("cpu_ratio_full_over_bare") is not None:
        cpu_ratio = results["cpu_ratio_full_over_bare"]
        console.print(f"ratio by CPU time (steadier on a shared machine): {cpu_ratio:.2f}")
    console.print(f"peak RSS: [bold]{rss['peak_self']} MB[/bold] (children {rss['peak_children']} MB, "
                  f"after load {rss['after_load']} MB; target < {t['rss_max_mb']:.0f} MB: "
                  f"{mark[t['rss_met']]})")
    console.print(f"model load: {results['load_seconds']} s")
    refused = results["refused"]
    console.print(f"refused by the input checks: [bold]{len(refused)}[/bold] of "
                  f"{results['settings']['articles']} (target 0: {mark[t['refused_met']]})")
    for item in refused[:10]:
        console.print(f"  {item['article']}: {item['reason']}", markup=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="buzzfeed_webis_2016 folder")
    parser.add_argument("--limit", type=int, default=None, help="first N articles (default: all)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--n-process", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=8, help="articles run through both paths first")
    parser.add_argument("--repeat", type=int, default=3,
                        help="alternate the runs N times, report the medians")
    parser.add_argument("--model", default=None, help="spaCy pipeline name or path (default: bundled)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the JSON results")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    if not (args.data / "articles").is_dir():
        print(f"error: {args.data}/articles not found (set --data to the buzzfeed_webis_2016 folder)",
              file=sys.stderr)
        return 2
    from sourcetrace.eval.realgold.shared import RESERVED_FILE, is_reserved_buzzfeed_file

    root = args.data.parent
    articles = list(read_buzzfeed(args.data))
    if (root / RESERVED_FILE).is_file():
        articles = [a for a in articles if not is_reserved_buzzfeed_file(root, Path(a.name))]
    else:
        note = f"note: no {RESERVED_FILE} beside {args.data}: no article is skipped as reserved"
        print(note, file=sys.stderr)
    articles = articles[: args.limit] if args.limit else articles
    if not articles:
        print(f"error: no articles with text under {args.data}/articles", file=sys.stderr)
        return 2
    results = measure(articles, model=args.model, batch_size=args.batch_size, n_process=args.n_process,
                      warmup=min(args.warmup, len(articles)), repeat=max(args.repeat, 1))
    results["data"] = str(args.data)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_table(results)
    print(f"results written to {args.out}")
    met = all(results["targets"][k] for k in ("ratio_met", "rss_met", "refused_met"))
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
