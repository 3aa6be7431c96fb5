"""The evidence of a claim on its row page (datasette_site/templates/row.html): the quoted passages an erratum or an
office check rests on, with their stance and clickable addresses, and, on a row that links an
erratum (events, office checks), that erratum's record and status read from the errata table, so
no other table restates the erratum's judgement.

Uses only Datasette's documented `extra_template_vars` hook and its database API.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from datasette import hookimpl
from datasette.utils import tilde_decode
from datasette.utils.asgi import Request

if TYPE_CHECKING:  # only for type hints: Datasette loads this module while importing datasette.app
    from datasette.app import Datasette

DATABASE = "ots"
# table -> (link table, its key column): the claims that rest on passages of the evidence table.
EVIDENCED = {"errata": ("erratum_evidence", "erratum_id"), "office_checks": ("office_check_evidence", "actor_id")}
# Tables whose rows may link an erratum by its id.
LINKS_AN_ERRATUM = ("events", "office_checks")
STANCE_ORDER = "case l.stance when 'supports' then 0 when 'contradicts' then 1 else 2 end"


async def row_evidence(datasette: Datasette, table: str, key: str) -> dict:
    db = datasette.get_database(DATABASE)
    found: dict = {}
    if table in EVIDENCED:
        links, key_column = EVIDENCED[table]
        rows = await db.execute(
            f"select l.stance, l.note as link_note, e.* from [{links}] l "
            f"join evidence e on e.evidence_id = l.evidence_id "
            f"where l.[{key_column}] = ? order by {STANCE_ORDER}, e.evidence_id",
            [key],
        )
        found["passages"] = [dict(r) for r in rows]
    if table in LINKS_AN_ERRATUM:
        key_column = "event_id" if table == "events" else "actor_id"
        erratum = (
            await db.execute(
                f"select x.erratum_id, x.status, x.record from [{table}] t "
                f"join errata x on x.erratum_id = t.erratum_id where t.[{key_column}] = ?",
                [key],
            )
        ).first()
        found["erratum"] = dict(erratum) if erratum else None
    return found


@hookimpl
def extra_template_vars(
    view_name: str, database: str | None, table: str | None, request: Request | None, datasette: Datasette
) -> Callable[[], Awaitable[dict]] | None:
    if view_name != "row" or database != DATABASE or request is None:
        return None
    if table not in EVIDENCED and table not in LINKS_AN_ERRATUM:
        return None

    async def variables() -> dict:
        pks = request.url_vars.get("pks", "")
        if "," in pks:  # a compound key: none of these tables has one
            return {}
        return {"ots_evidence": await row_evidence(datasette, table, tilde_decode(pks))}

    return variables
