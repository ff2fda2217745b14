"""A claim's chain drawn as a directed graph: DOT in, SVG out, laid out by Graphviz's `dot`.

Why Graphviz rather than a JavaScript layout library: `dot` is a real layered-graph layout engine,
packaged by Debian (`apt-get install graphviz`), runs on the server, and hands the browser finished
SVG, so the page needs no vendored third-party script. The browser still never sees article text as
markup: names go into DOT as escaped quoted strings, Graphviz writes them into the SVG as XML text,
and the page imports the SVG through an XML parser with an element/attribute allow-list.

Chains are short (publisher, wire, relays, innermost source), so a layout takes a few milliseconds;
it runs as a subprocess with a timeout so a pathological input cannot hold a worker.
"""

from __future__ import annotations

import asyncio
import shutil

from pydantic import BaseModel, ConfigDict, Field

from sourcetrace.model import SourceType

#: Fill colour per source type; static/app.css uses the same colours for the highlight layer (a test
#: checks they agree).
TYPE_COLOURS: dict[str, str] = {
    "outlet": "#8ecae6",
    "named_person": "#a7d676",
    "named_organization": "#c3b1e1",
    "official_unnamed": "#ffd166",
    "anonymous": "#f4978e",
    "eyewitness": "#f7b267",
    "document": "#cfd8dc",
    "collective": "#b5ead7",
    "author": "#e0e0e0",
}
MAX_NAME_CHARS = 80
DOT_TIMEOUT_S = 10.0


class GraphNode(BaseModel):
    """One link of a chain, as the page sends it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=500, description="Source name as written.")
    type: SourceType
    cue: str | None = Field(None, max_length=200, description="Verb through which this source speaks.")
    reliability_label: str | None = Field(None, max_length=40, description="Outlet rating label.")
    reliability_score: float | None = Field(None, ge=0.0, le=1.0, description="Outlet rating 0..1.")


class ChainGraphRequest(BaseModel):
    """A chain, publisher first, innermost source last."""

    model_config = ConfigDict(extra="forbid")

    chain: list[GraphNode] = Field(min_length=1, max_length=40)


class GraphvizMissing(RuntimeError):
    pass


def dot_binary() -> str | None:
    return shutil.which("dot")


def _quote(text: str) -> str:
    """A DOT double-quoted string. Backslashes are doubled so Graphviz's label escapes (\\N, \\G, \\l)
    cannot be triggered from article text; control characters become spaces."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _short(text: str, limit: int = MAX_NAME_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _node_label(node: GraphNode) -> str:
    lines = [_short(node.name), str(node.type).replace("_", " ")]
    if node.type == SourceType.OUTLET and (node.reliability_label or node.reliability_score is not None):
        score = f" {node.reliability_score:.2f}" if node.reliability_score is not None else ""
        lines.append(f"{node.reliability_label or 'rated'}{score}")
    # Join with DOT's own line break; _quote doubles the backslash of real text, so add it after.
    return "\\n".join(_quote(line)[1:-1] for line in lines)


def chain_dot(chain: list[GraphNode]) -> str:
    """DOT source: one node per link (a source repeated in a chain is drawn twice, in its place)."""
    lines = [
        "digraph chain {",
        '  graph [rankdir=TB, nodesep=0.3, ranksep=0.35, bgcolor="transparent", fontname="Helvetica"];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11, color="#455a64"];',
        '  edge [fontname="Helvetica", fontsize=10, color="#455a64"];',
    ]
    for i, node in enumerate(chain):
        colour = TYPE_COLOURS.get(str(node.type), "#ffffff")
        kind = str(node.type)
        lines.append(f'  n{i} [label="{_node_label(node)}", fillcolor="{colour}", class="type-{kind}"];')
    for i in range(1, len(chain)):
        cue = chain[i].cue
        label = f", label={_quote(_short(cue, 40))}" if cue else ""
        lines.append(f"  n{i - 1} -> n{i} [{label.lstrip(', ')}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


async def render_svg(dot_source: str, timeout: float = DOT_TIMEOUT_S) -> str:
    """Lay the graph out with `dot -Tsvg`; raises GraphvizMissing when Graphviz is not installed."""
    binary = dot_binary()
    if binary is None:
        raise GraphvizMissing("Graphviz is not installed: the chain graph needs its `dot` program "
                              "(Debian/Ubuntu: apt-get install graphviz)")
    process = await asyncio.create_subprocess_exec(
        binary, "-Tsvg", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(dot_source.encode("utf-8")), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise RuntimeError("graph layout timed out") from None
    if process.returncode != 0:
        raise RuntimeError(f"dot failed: {err.decode('utf-8', 'replace')[:200]}")
    return out.decode("utf-8")
