"""Outlet standing in reports and the `outlet` command, against the bundled rating table."""

import subprocess
import sys

import sourcetrace

STORY = (
    "Port strike ends\n\n"
    "According to Reuters, the strike at Port Vella ended on Monday. Union leader Mara Quell told the BBC "
    "that members had accepted the offer. The Lakeside Clarion said the port would reopen on Tuesday."
)


def test_outlets_in_chains_carry_their_rating():
    report = sourcetrace.analyze(STORY)
    by_name = {s.name: s for s in report.sources}
    assert by_name["Reuters"].reliability.domain == "reuters.com"
    assert by_name["Reuters"].reliability.label == "reliable"
    assert 0.0 <= by_name["BBC"].reliability.score <= 1.0
    # an invented outlet is not in any rating set
    assert by_name["Lakeside Clarion"].reliability is None
    # people are never rated
    assert by_name["Mara Quell"].reliability is None


def test_publisher_is_rated_by_url_before_name():
    report = sourcetrace.analyze(STORY, outlet="Some Blog", url="https://www.nytimes.com/2026/01/01/x.html")
    assert report.document.outlet_reliability.domain == "nytimes.com"


def test_unknown_publisher_has_no_rating():
    report = sourcetrace.analyze(STORY, outlet="The Lakeside Clarion")
    assert report.document.outlet_reliability is None


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "sourcetrace.cli", *args], capture_output=True, text=True)


def test_outlet_command_describes_a_known_outlet():
    result = run_cli("outlet", "reuters.com")
    assert result.returncode == 0
    assert "Reuters" in result.stdout and "reliable" in result.stdout


def test_outlet_command_unknown_name_is_one_line_and_exit_2():
    result = run_cli("outlet", "Lakeside Clarion")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "not in the outlet table" in result.stderr
    assert "Traceback" not in result.stderr
