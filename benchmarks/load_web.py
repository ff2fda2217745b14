"""Load test of the web service on loopback: POST /api/analyze at fixed concurrency, /healthz alongside.

Starts the real server (`sourcetrace serve`, rate limit off) as a subprocess on a free 127.0.0.1 port,
warms it up, then for `--duration` seconds keeps `--concurrency` clients posting ~500-word articles,
each one different (a BuzzFeed-Webis 2016 article from the shared data, cut to ~500 words, with a
request-numbered paragraph of invented attributions added; or only invented text when the data set is
absent), so no cache anywhere could serve a repeat. A separate prober hits /healthz every 100 ms.

Reports requests/s, p50/p99 latency, status counts (5xx must be zero), server RSS (process tree)
after warm-up and at the end (growth must be under 10%), and /healthz p99 (must be under 50 ms).
Results go to benchmarks/results/load_web.json.

    python benchmarks/load_web.py                      # 60 s at concurrency 16
    python benchmarks/load_web.py --duration 20 --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from sourcetrace.eval.runinfo import run_record

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "buzzfeed_webis_2016"
DEFAULT_OUT = REPO / "benchmarks" / "results" / "load_web.json"
TARGET_WORDS = 500
HEALTH_P99_MS = 50.0
RSS_GROWTH = 0.10

# Invented material for the varied paragraph (and for whole articles when the corpus is absent).
PEOPLE = ["Marta Oyelaran", "Ruben Achterberg", "Ada Lindqvist", "Tomas Verhoeven", "Priya Natarajan",
          "Ibrahim Saltzman", "Elena Vasquez", "Jonah Whitcombe", "Keiko Tanabe", "Samuel Okafor"]
ROLES = ["city engineer", "transport officer", "council member", "harbour master", "budget director",
         "police spokeswoman", "health inspector", "school governor"]
OUTLETS = ["the Valley Post", "the Harbour Courier", "Northfield Daily", "Meridian Wire",
           "the Coastal Record"]
CUES = ["said", "told reporters", "wrote in a statement", "warned", "claimed", "confirmed"]
TOPICS = ["the bridge repairs would cost {n} million dollars", "{n} families had been moved out of the flats",
          "the vote on the budget would be delayed by {n} weeks", "{n} inspectors had visited the site",
          "the new tram line would carry {n} thousand passengers a day",
          "the clinic had treated {n} patients since Monday"]
UNNAMED = ["a city official", "people familiar with the talks", "witnesses", "residents", "sources"]


def invented_sentence(rng: random.Random) -> str:
    claim = rng.choice(TOPICS).format(n=rng.randint(2, 400))
    shape = rng.randrange(4)
    if shape == 0:
        return f"{rng.choice(ROLES).capitalize()} {rng.choice(PEOPLE)} {rng.choice(CUES)} that {claim}."
    if shape == 1:
        return f"According to {rng.choice(OUTLETS)}, {claim}."
    if shape == 2:
        who = rng.choice(PEOPLE)
        return f'"{claim[0].upper()}{claim[1:]}," {who} told {rng.choice(OUTLETS)}.'
    return f"{rng.choice(UNNAMED).capitalize()} said {claim}, {rng.choice(OUTLETS)} reported."


def invented_article(rng: random.Random, words: int) -> str:
    sentences = []
    while sum(len(s.split()) for s in sentences) < words:
        sentences.append(invented_sentence(rng))
    paragraphs = [" ".join(sentences[i:i + 3]) for i in range(0, len(sentences), 3)]
    return "\n\n".join(paragraphs)


def corpus_bases(data: Path, limit: int) -> list[str]:
    """BuzzFeed-Webis articles of at least ~400 words, cut to about TARGET_WORDS words."""
    if not data.exists():
        return []
    from sourcetrace.corpus.formats import read_buzzfeed
    from sourcetrace.errors import InputError
    from sourcetrace.ingest.decode import check_text

    bases = []
    for article in read_buzzfeed(data, limit=limit):
        words = article.text.split()
        if len(words) < 400:
            continue
        text = " ".join(words[: TARGET_WORDS - 40])
        try:
            # A few corpus articles are mojibake full of C1 control characters; the API rightly refuses
            # them (422), and a load test should measure analyses, not refusals.
            check_text(text, None)
        except InputError:
            continue
        bases.append(text)
    return bases


@dataclass
class Articles:
    bases: list[str]
    seed: int = 7
    counter: int = 0

    def next(self) -> str:
        self.counter += 1
        rng = random.Random(self.seed * 1_000_003 + self.counter)
        extra = f"Update {self.counter}: " + " ".join(invented_sentence(rng) for _ in range(3))
        if self.bases:
            base = self.bases[self.counter % len(self.bases)]
            return f"{base}\n\n{extra}"
        return invented_article(rng, TARGET_WORDS - 40) + "\n\n" + extra


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (Linux /proc), in MiB."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    total_kb, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            pass
        todo.extend(children.get(current, []))
    return total_kb / 1024


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    words: int = 0

    def add(self, status: int, ms: float, words: int) -> None:
        self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1
        self.latencies_ms.append(ms)
        self.words += words


async def analyse_loop(client: httpx.AsyncClient, articles: Articles, stop: float, tally: Tally) -> None:
    while time.monotonic() < stop:
        text = articles.next()
        started = time.perf_counter()
        try:
            response = await client.post("/api/analyze", json={"text": text})
            tally.add(response.status_code, (time.perf_counter() - started) * 1000, len(text.split()))
        except httpx.HTTPError:
            tally.errors += 1


async def health_loop(client: httpx.AsyncClient, stop: float, out: list[float], failures: list[int]) -> None:
    while time.monotonic() < stop:
        started = time.perf_counter()
        try:
            response = await client.get("/healthz")
            out.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                failures.append(response.status_code)
        except httpx.HTTPError:
            failures.append(-1)
        await asyncio.sleep(0.1)


async def run_load(base: str, articles: Articles, duration: float, concurrency: int, pid: int) -> dict:
    limits = httpx.Limits(max_connections=concurrency + 4)
    timeout = httpx.Timeout(120.0)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client, \
            httpx.AsyncClient(base_url=base, timeout=timeout) as health_client:
        # Warm-up: every worker's first analysis, allocator pools and caches settle before RSS is taken.
        warm = Tally()
        await asyncio.gather(*(analyse_loop(client, articles, time.monotonic() + 10, warm)
                               for _ in range(concurrency)))
        rss_start = tree_rss_mb(pid)
        tally, health, health_failures = Tally(), [], []
        started = time.monotonic()
        stop = started + duration
        await asyncio.gather(
            health_loop(health_client, stop, health, health_failures),
            *(analyse_loop(client, articles, stop, tally) for _ in range(concurrency)),
        )
        elapsed = time.monotonic() - started
        rss_end = tree_rss_mb(pid)
    requests = sum(tally.statuses.values())
    five_xx = sum(n for code, n in tally.statuses.items() if code.startswith("5"))
    return {
        "duration_s": round(elapsed, 1),
        "concurrency": concurrency,
        "requests": requests,
        "requests_per_s": round(requests / elapsed, 2),
        "words_per_s": round(tally.words / elapsed),
        "latency_p50_ms": round(percentile(tally.latencies_ms, 50), 1),
        "latency_p99_ms": round(percentile(tally.latencies_ms, 99), 1),
        "latency_mean_ms": round(statistics.fmean(tally.latencies_ms), 1) if tally.latencies_ms else None,
        "statuses": tally.statuses,
        "client_errors": tally.errors,
        "5xx": five_xx,
        "warmup_requests": sum(warm.statuses.values()),
        "rss_after_warmup_mb": round(rss_start, 1),
        "rss_end_mb": round(rss_end, 1),
        "rss_growth": round((rss_end - rss_start) / rss_start, 4) if rss_start else None,
        "healthz_probes": len(health),
        "healthz_p50_ms": round(percentile(health, 50), 1),
        "healthz_p99_ms": round(percentile(health, 99), 1),
        "healthz_max_ms": round(max(health), 1) if health else None,
        "healthz_failures": len(health_failures),
    }


def start_server(port: int, workers: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "sourcetrace.cli", "serve", "--port", str(port), "--rate-limit", "0",
               "--workers", str(workers), "--no-fetch"]
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_ready(base: str, process: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited early: {process.stderr.read() if process.stderr else ''}")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise SystemExit("server did not become ready")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1, help="`sourcetrace serve --workers`")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()

    bases = corpus_bases(args.data, limit=400)
    articles = Articles(bases)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start_server(port, args.workers)
    try:
        wait_ready(base, process)
        result = asyncio.run(run_load(base, articles, args.duration, args.concurrency, process.pid))
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    result.update({
        "workers": args.workers,
        "articles": f"{len(bases)} BuzzFeed-Webis bases + unique paragraph" if bases else "invented, unique",
        "checks": {
            "zero_5xx": result["5xx"] == 0 and result["client_errors"] == 0,
            "rss_growth_under_10pct": result["rss_growth"] is not None and result["rss_growth"] < RSS_GROWTH,
            "healthz_p99_under_50ms": result["healthz_p99_ms"] < HEALTH_P99_MS,
        },
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "run": run_record(),
    })
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0 if all(result["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
