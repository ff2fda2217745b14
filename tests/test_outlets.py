"""Outlet table: lookups by domain, URL, alias, dateline and chain wording; scores; the rebuild."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest
from conftest import shared_data
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from sourcetrace.errors import InputError
from sourcetrace.outlets.table import (
    RATING_SETS,
    OutletTable,
    default_table,
    describe,
    domain_key,
    host_of,
    lookup,
    name_key,
    registrable,
    verdict,
)
from sourcetrace.training.outlets import build_table, dump, main, read_aliases

DATA = Path(__file__).resolve().parents[1] / "src" / "sourcetrace" / "data"
ALIASES = DATA / "outlet_aliases.tsv"
TABLE = DATA / "outlets.json.gz"


@pytest.fixture(scope="module")
def table() -> OutletTable:
    return OutletTable.load()


# --------------------------------------------------------------------------- common names


@pytest.mark.parametrize(
    ("name", "domain"),
    [
        ("Reuters", "reuters.com"),
        ("AP", "apnews.com"),
        ("Associated Press", "apnews.com"),
        ("The Associated Press", "apnews.com"),
        ("AFP", "afp.com"),
        ("Agence France-Presse", "afp.com"),
        ("Agence France Presse", "afp.com"),
        ("BBC", "bbc.co.uk"),
        ("BBC News", "bbc.co.uk"),
        ("CNN", "cnn.com"),
        ("Fox News", "foxnews.com"),
        ("RT", "rt.com"),
        ("Russia Today", "rt.com"),
        ("Sputnik", "sputniknews.com"),
        ("Xinhua", "xinhuanet.com"),
        ("Xinhua News Agency", "xinhuanet.com"),
        ("TASS", "tass.com"),
        ("Tass", "tass.com"),
        ("ITAR-TASS", "tass.com"),
        ("Al Jazeera", "aljazeera.com"),
        ("Al-Jazeera", "aljazeera.com"),
        ("NPR", "npr.org"),
        ("The New York Times", "nytimes.com"),
        ("New York Times", "nytimes.com"),
        ("NYT", "nytimes.com"),
        ("N.Y. Times", "nytimes.com"),
        ("Washington Post", "washingtonpost.com"),
        ("The Washington Post", "washingtonpost.com"),
        ("The Wall Street Journal", "wsj.com"),
        ("L.A. Times", "latimes.com"),
        ("the Guardian", "theguardian.com"),
        ("Deutsche Welle", "dw.com"),
        ("RFE/RL", "rferl.org"),
        ("People's Daily", "en.people.cn"),
        ("Hürriyet Daily News", "hurriyetdailynews.com"),
        ("Kyodo", "kyodonews.net"),
    ],
)
def test_common_names_resolve(table: OutletTable, name: str, domain: str) -> None:
    record = table.lookup(name)
    assert record is not None, name
    assert record.domain == domain


def test_every_hand_written_alias_finds_its_domain(table: OutletTable) -> None:
    with ALIASES.open(encoding="utf-8") as fh:
        rows = [
            line.rstrip("\n").split("\t")
            for line in fh
            if line.strip() and not line.startswith(("#", "domain\t"))
        ]
    assert len(rows) > 100
    for domain, name, aliases, *_ in rows:
        for alias in [name, *filter(None, aliases.split("|"))]:
            record = table.lookup(alias)
            assert record is not None and record.domain == domain, (alias, domain)


# --------------------------------------------------------------------------- domains and URLs


@pytest.mark.parametrize(
    ("query", "domain", "via"),
    [
        ("reuters.com", "reuters.com", "domain"),
        ("www.reuters.com", "reuters.com", "domain"),
        ("Reuters.com", "reuters.com", "domain"),
        ("HTTPS://WWW.NYTIMES.COM/2024/03/01/world/harbour-fire.html", "nytimes.com", "domain"),
        ("https://www.bbc.co.uk/news/world-europe-123", "bbc.co.uk", "domain"),
        ("http://m.cnn.com/en/article/h_123", "cnn.com", "domain"),
        ("https://www.rt.com/news/555-bridge-reopened/", "rt.com", "domain"),
        # A subdomain the table lists itself keeps its own rating...
        ("https://edition.cnn.com/2024/05/02/europe/x", "edition.cnn.com", "domain"),
        # ...one it does not list falls back to the outlet's domain.
        ("https://live.nytimes.com/2024/x", "nytimes.com", "parent_domain"),
        ("https://cooking.theguardian.com/recipes", "theguardian.com", "parent_domain"),
        # A path the table lists is a separate outlet.
        ("https://www.theguardian.com/observer/2020/jan/x", "theguardian.com/observer", "domain"),
        ("https://www.theguardian.com/world/2024/x", "theguardian.com", "domain"),
        ("http://user@apnews.com:443/article/x?utm=1#top", "apnews.com", "domain"),
    ],
)
def test_urls_and_domains(table: OutletTable, query: str, domain: str, via: str) -> None:
    found = table.match(query)
    assert found is not None, query
    assert (found.record.domain, found.via) == (domain, via)


def test_lookalike_domain_is_not_the_real_outlet(table: OutletTable) -> None:
    fake = table.lookup("http://abcnews.com.co/obama-signs-x")
    real = table.lookup("abcnews.go.com")
    assert fake is not None and real is not None
    assert fake.domain == "abcnews.com.co" and fake.label == "unreliable"
    assert real.label == "reliable"


@pytest.mark.parametrize(
    "query",
    [
        "https://harbourwatch.blogspot.com/2019/05/council-vote.html",
        "https://twitter.com/some_reporter/status/12345",
        "https://www.youtube.com/watch?v=abc",
        "https://unknown-outlet-zz.example/story",
        "http://co.uk/",
    ],
)
def test_user_pages_on_platforms_and_unknown_domains_do_not_resolve(table: OutletTable, query: str) -> None:
    assert table.lookup(query) is None


def test_domain_key_normalises() -> None:
    assert domain_key("https://user@WWW.Example.co.uk:8080/News/x?y#z") == "example.co.uk"
    assert domain_key("amp.example.com/Politics/") == "example.com"
    assert domain_key("theguardian.com/observer/2020/x") == "theguardian.com/observer"
    assert domain_key("not a domain") is None
    assert domain_key("wxia–11alive.com") is None
    assert host_of("https://m.Example.co.uk/x") == "example.co.uk" and host_of("not a url") is None


def test_public_suffixes_come_from_the_public_suffix_list() -> None:
    # Suffixes a short hand-made list of second-level labels missed, from the list's bundled snapshot.
    assert registrable("rodong.rep.kp") == ("rodong", "rep.kp")
    assert registrable("solidarites-sante.gouv.fr") == ("solidarites-sante", "gouv.fr")
    assert registrable("bbc.co.uk") == ("bbc", "co.uk")
    assert registrable("news.bbc.co.uk") is None  # a subdomain
    assert registrable("co.uk") is None  # a bare suffix
    # Platforms are ICANN domains here: their users' blogs are kept apart by PLATFORM_HOSTS instead.
    assert registrable("blogspot.com") == ("blogspot", "com")


# --------------------------------------------------------------------------- datelines and chains


@pytest.mark.parametrize(
    ("query", "domain"),
    [
        ("(Reuters)", "reuters.com"),
        ("LONDON, May 2 (Reuters) -", "reuters.com"),
        ("WASHINGTON (AP) —", "apnews.com"),
        ("BEIJING, June 9 (Xinhua) --", "xinhuanet.com"),
        ("PARIS (AFP)", "afp.com"),
        ("From Reuters:", "reuters.com"),
        ("via AP", "apnews.com"),
        ("according to Russian state broadcaster RT", "rt.com"),
        ("the Chinese state news agency Xinhua", "xinhuanet.com"),
        ("the Qatar-based network Al Jazeera", "aljazeera.com"),
        ("Reuters news agency", "reuters.com"),
        ("Fox News channel", "foxnews.com"),
        ("CNN's", "cnn.com"),
        ("NPR’s", "npr.org"),
        ("Politics | The Guardian", "theguardian.com"),
        ("BBC News - Home", "bbc.co.uk"),
        ("Imogen Hale, Reuters", "reuters.com"),
        ("“The Washington Post”", "washingtonpost.com"),
    ],
)
def test_datelines_site_names_and_chain_wording(table: OutletTable, query: str, domain: str) -> None:
    record = table.lookup(query)
    assert record is not None, query
    assert record.domain == domain


@pytest.mark.parametrize(
    "query",
    [
        None,
        "",
        "   ",
        "Meridian Valley Ledger",
        "Smith",
        "Hill",
        "Dawn",
        "Williams",
        "Police",
        "a guardian",
        "police",
        "The Constitution",
        "The Times",
        "people familiar with the matter",
        "a senior official",
        "WASHINGTON",
        "VIENNA",
        "BOSTON, May 2 -",
        "EPA",
        "according to",
    ],
)
def test_unknown_names_and_people_return_none(table: OutletTable, query: str | None) -> None:
    assert table.lookup(query) is None


def test_lower_case_text_only_matches_when_not_strict(table: OutletTable) -> None:
    assert table.lookup("guardian") is None
    loose = table.lookup("guardian", strict=False)
    assert loose is not None and loose.domain == "theguardian.com"
    # Data-derived one-word names and domain stems only match loosely: `Salon` is listed by hand,
    # `Jacobin` is not.
    assert table.lookup("Jacobin") is None
    jacobin = table.lookup("jacobin", strict=False)
    assert jacobin is not None and jacobin.domain.startswith("jacobin")


def test_coined_domain_stems_match_strictly(table: OutletTable) -> None:
    found = table.match("DailyKos")
    assert found is not None and found.record.domain == "dailykos.com"
    assert table.match("NYPost") is not None


def test_first_takes_the_first_clue_that_resolves(table: OutletTable) -> None:
    record = table.first(None, "Meridian Valley Ledger", "https://www.reuters.com/world/x", "CNN")
    assert record is not None and record.domain == "reuters.com"
    assert table.first(None, "") is None


def test_module_level_lookup_uses_the_packaged_table() -> None:
    assert default_table() is OutletTable.load()
    record = lookup("(AP)")
    assert record is not None and record.domain == "apnews.com"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_lookup_never_raises(text: str) -> None:
    record = default_table().lookup(text)
    assert record is None or record.domain in default_table()


def test_name_key_ignores_case_accents_and_punctuation() -> None:
    assert name_key("Agence France-Presse") == name_key("agence france presse")
    assert name_key("L.A. Times") == name_key("LA Times")
    assert name_key("Hürriyet") == name_key("Hurriyet")
    assert name_key("Crooks & Liars") == "crooks and liars"


# --------------------------------------------------------------------------- records


def test_record_fields(table: OutletTable) -> None:
    reuters = table.lookup("Reuters")
    assert reuters is not None
    assert reuters.name == "Reuters"
    assert "Reuters News Agency" in reuters.aliases
    assert reuters.label == "reliable" and reuters.score is not None and reuters.score >= 2 / 3
    assert {"lin2023", "burdisso2024", "baly_mbfc"} <= set(reuters.rating_sources)
    assert "kind:wire" in reuters.labels
    assert json.loads(json.dumps(reuters.to_dict()))["domain"] == "reuters.com"
    assert {reuters, table.lookup("reuters.com")} == {reuters}

    infowars = table.lookup("InfoWars")
    assert infowars is not None and infowars.label == "unreliable"
    assert "opensources" in infowars.rating_sources
    assert any(label.startswith("opensources:") for label in infowars.labels)

    rt = table.lookup("RT")
    assert rt is not None and "kind:state-media" in rt.labels

    kyodo = table.lookup("Kyodo News")
    assert kyodo is not None and kyodo.score is None and kyodo.label is None
    assert kyodo.rating_sources == () and not kyodo.rated


def test_every_record_is_consistent(table: OutletTable) -> None:
    low, high = table.thresholds
    assert (low, high) == pytest.approx((1 / 3, 2 / 3), abs=1e-5)
    seen = 0
    for record in table:
        seen += 1
        assert tuple(record.ratings) == record.rating_sources
        assert set(record.rating_sources) <= set(RATING_SETS)
        assert set(record.agreeing) <= set(record.rating_sources)
        if record.score is None:
            assert record.label is None and not record.ratings
            continue
        assert 0.0 <= record.score <= 1.0
        assert record.label == verdict(record.score, (low, high))
        assert all(0.0 <= s <= 1.0 for s in record.ratings.values())
        agreeing = {s for s, v in record.ratings.items() if verdict(v, (low, high)) == record.label}
        assert set(record.agreeing) == agreeing
    assert seen == len(table) > 10_000


def test_describe_renders_scores_and_sets(table: OutletTable) -> None:
    record = table.lookup("Al Jazeera")
    assert record is not None
    console = Console(record=True, width=120, color_system=None)
    console.print(describe(record, table))
    text = console.export_text()
    assert "Al Jazeera" in text and "aljazeera.com" in text
    assert record.label is not None and record.label in text
    assert "Lin et al. 2023" in text
    unrated = table.lookup("Kyodo")
    assert unrated is not None
    console.print(describe(unrated))
    assert "not rated" in console.export_text()


# --------------------------------------------------------------------------- loading and building


def test_bad_table_paths_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read outlet table"):
        OutletTable.load(tmp_path / "missing.json.gz")
    corrupt = tmp_path / "corrupt.json.gz"
    corrupt.write_bytes(b"\x1f\x8b not gzip at all")
    with pytest.raises(InputError):
        OutletTable.load(corrupt)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"format": "something-else"}))
    with pytest.raises(InputError, match="not an outlet table"):
        OutletTable.load(other)


def test_alias_file_rejects_an_alias_naming_two_outlets(tmp_path: Path) -> None:
    from sourcetrace.training.outlets import Build

    tsv = tmp_path / "aliases.tsv"
    tsv.write_text(
        "domain\tname\taliases\tkind\talso\n"
        "harbourgazette.example\tHarbour Gazette\tThe Gazette\tnewspaper\t\n"
        "valleygazette.example\tValley Gazette\tThe Gazette\tnewspaper\t\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="already names harbourgazette.example"):
        read_aliases(tsv, Build())


def test_alias_file_accepts_its_own_format(tmp_path: Path) -> None:
    from sourcetrace.training.outlets import Build

    tsv = tmp_path / "aliases.tsv"
    tsv.write_text(
        "# invented outlets\n"
        "harbourgazette.example\tHarbour Gazette\tThe Gazette|HG\tnewspaper|digital\tgazette.example\n",
        encoding="utf-8",
    )
    build = Build()
    index = read_aliases(tsv, build)
    assert index == {
        "harbour gazette": "harbourgazette.example",
        "the gazette": "harbourgazette.example",
        "hg": "harbourgazette.example",
    }
    assert build.entries["gazette.example"].names == [(0, "Harbour Gazette")]
    assert build.entries["harbourgazette.example"].flags == {"kind:newspaper", "kind:digital"}


def test_committed_table_is_small_and_loads() -> None:
    assert TABLE.stat().st_size < 3_000_000
    payload = json.loads(gzip.decompress(TABLE.read_bytes()))
    assert payload["stats"]["records"] == len(OutletTable.load(TABLE))


def test_rebuild_matches_the_committed_table(tmp_path: Path) -> None:
    data = shared_data("outlets")
    committed = json.loads(gzip.decompress(TABLE.read_bytes()))
    rebuilt = build_table(data, ALIASES)
    assert rebuilt["stats"] == committed["stats"]
    assert rebuilt["inputs"] == committed["inputs"], "the shared data changed; rebuild the table"
    assert rebuilt == committed
    # Deterministic bytes, and the command line writes the same thing.
    out = tmp_path / "outlets.json.gz"
    lines: list[str] = []
    assert main(["--data", str(data), "--out", str(out)], echo=lines.append) == 0
    assert out.read_bytes() == dump(rebuilt)
    assert lines and "outlets" in lines[0]


def test_rebuilt_counts_match_the_source_files() -> None:
    data = shared_data("outlets")
    committed = json.loads(gzip.decompress(TABLE.read_bytes()))
    with (data / "lin2023_domain_quality" / "domain_pc1.csv").open() as fh:
        lin_rows = sum(1 for _ in csv.DictReader(fh))
    dropped = committed["stats"]["dropped_invalid_domains"].get("lin2023", 0)
    merged = committed["stats"]["merged_duplicate_keys"].get("lin2023", 0)
    assert committed["sets"]["lin2023"]["rated"] == lin_rows - dropped - merged


def test_build_refuses_a_folder_that_is_not_the_data(tmp_path: Path) -> None:
    lines: list[str] = []
    assert main(["--data", str(tmp_path), "--out", str(tmp_path / "x.json.gz")], echo=lines.append) == 2
    assert "not the shared outlets folder" in lines[0]
    assert not (tmp_path / "x.json.gz").exists()


def test_rating_sets_can_be_left_out(tmp_path: Path) -> None:
    data = shared_data("outlets")
    out = tmp_path / "lin_only.json.gz"
    assert main(["--data", str(data), "--out", str(out), "--sets", "lin2023"], echo=lambda _: None) == 0
    lin_only = OutletTable.load(out)
    assert set(lin_only.meta["sets"]) == {"lin2023"}
    reuters = lin_only.lookup("Reuters")
    assert reuters is not None and reuters.rating_sources == ("lin2023",)
    assert all(set(r.rating_sources) <= {"lin2023"} for r in lin_only)
    assert main(["--data", str(data), "--out", str(out), "--sets", "mbfc"], echo=lambda _: None) == 2
