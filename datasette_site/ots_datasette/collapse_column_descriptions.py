"""Table pages show the data first: the column descriptions are collapsed into a <details>.

Datasette 0.65's table.html writes the description of every column (twenty on follower_counts)
above the search box, the facets and the rows, which pushes the data below the first screen. A
script added on Datasette's documented `extra_body_script` hook wraps its
<dl class="column-descriptions"> in <details class="column-descriptions-toggle"> with a
<summary>Column descriptions (N)</summary> as the page loads. Without JavaScript the list stays
open, as Datasette writes it. The class name is the same in Datasette 1.0's template; a block for
these descriptions in Datasette's own table.html would let a template do this instead (the upstream
request to make is named in tests/test_templates.py).
"""

from __future__ import annotations

from datasette import hookimpl

SCRIPT = """
document.querySelectorAll("dl.column-descriptions").forEach(function (list) {
    if (list.parentElement.tagName === "DETAILS") { return; }
    var details = document.createElement("details");
    details.className = "column-descriptions-toggle";
    var summary = document.createElement("summary");
    summary.textContent = "Column descriptions (" + list.querySelectorAll("dt").length + ")";
    details.appendChild(summary);
    list.parentNode.insertBefore(details, list);
    details.appendChild(list);
});
"""


@hookimpl
def extra_body_script(view_name: str) -> str | None:
    return SCRIPT if view_name == "table" else None
