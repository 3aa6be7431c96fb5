"""Serve index.html for directory URLs under the static mounts (/docs/, /downloads/), and list the
folders under /downloads/ that have none.

Datasette 0.65's --static answers 403 for a directory URL, and MkDocs links to directories
(/docs/methodology/). This wrapper rewrites such requests to the directory's index.html and
redirects the bare prefix (/docs) to /docs/. A folder under /downloads/ without an index.html (a
release's folder, its data/ folder) is answered with a list of its files and their sizes, as nginx's
`autoindex on` answers it under `make serve-prod` (deploy/nginx-site.conf.j2): a reader finds a
release's SHA256SUMS and every file it names. Written here because no maintained plugin does this.
"""

from collections.abc import Awaitable, Callable
from html import escape
from pathlib import Path
from urllib.parse import quote

from datasette import hookimpl

ASGIApp = Callable[[dict, Callable, Callable], Awaitable[None]]

STATIC_PREFIXES = ("/docs", "/downloads")
LISTED_MOUNT = "downloads"  # the static mount whose folders are listed (its prefix without the slash)


def _redirect(location: str) -> ASGIApp:
    async def app(scope: dict, receive: Callable, send: Callable) -> None:
        await send({"type": "http.response.start", "status": 302, "headers": [[b"location", location.encode()]]})
        await send({"type": "http.response.body", "body": b""})

    return app


def mounted_folder(datasette: object, mount: str) -> Path | None:
    """The folder Datasette serves at /<mount>/: dist/ under the one serving configuration
    (ots_data/serving.py), another folder in a test. Read where cite_row.py and discovery.py read it."""
    return next((Path(folder) for prefix, folder in datasette.static_mounts if prefix == mount), None)


def folder_to_list(root: Path, relative: str) -> Path | None:
    """The folder `relative` names inside root, if it is one to list: it exists, it is inside root
    once `..` and symlinks are followed, and it has no index.html (which is served instead).
    Anything else is left to Datasette's static handler, which answers 404 outside root."""
    try:
        root = root.resolve()
        folder = (root / relative).resolve()
        inside = folder.is_relative_to(root) and folder.is_dir()
        return folder if inside and not (folder / "index.html").exists() else None
    except (OSError, ValueError):  # a name the file system refuses (a NUL byte, too long)
        return None


def listed_entries(root: Path, folder: Path) -> list[tuple[str, int | None]]:
    """(name, size in bytes, or None for a sub-folder) of what a reader can open in folder, folders
    first, then by name, as nginx lists them. Like nginx's autoindex, hidden names are left out (a
    release being written is the hidden folder dist/.<version>.tmp); so is anything a symlink
    leads to outside root, which the static handler would refuse."""
    root = root.resolve()
    found = []
    for child in folder.iterdir():
        if child.name.startswith("."):
            continue
        try:
            target = child.resolve(strict=True)
        except OSError:  # a broken symlink
            continue
        if not target.is_relative_to(root):
            continue
        if target.is_dir():
            found.append((child.name, None))
        elif target.is_file():
            found.append((child.name, target.stat().st_size))
    return sorted(found, key=lambda entry: (entry[1] is not None, entry[0]))


def listing_page(url_path: str, entries: list[tuple[str, int | None]]) -> bytes:
    """The HTML list of a folder: links relative to the folder's URL, which ends with a slash."""
    rows = []
    for name, size in entries:
        slash = "/" if size is None else ""
        rows.append(
            f'<tr><td><a href="{quote(name, safe="")}{slash}">{escape(name)}{slash}</a></td>'
            f"<td>{'-' if size is None else size}</td></tr>"
        )
    title = escape(f"Index of {url_path}")
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
</head>
<body>
<main>
<h1>{title}</h1>
<p><a href="../">Parent folder</a></p>
<table>
<thead><tr><th scope="col">Name</th><th scope="col">Bytes</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</main>
</body>
</html>
"""
    return page.encode("utf-8")


def _listing(body: bytes) -> ASGIApp:
    async def app(scope: dict, receive: Callable, send: Callable) -> None:
        headers = [[b"content-type", b"text/html; charset=utf-8"], [b"content-length", str(len(body)).encode()]]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


@hookimpl
def asgi_wrapper(datasette: object) -> Callable[[ASGIApp], ASGIApp]:
    listed_prefix = f"/{LISTED_MOUNT}/"

    def wrap(app: ASGIApp) -> ASGIApp:
        async def directory_index(scope: dict, receive: Callable, send: Callable) -> None:
            if scope.get("type") == "http":
                path = scope.get("path", "")
                if path in STATIC_PREFIXES:
                    query = scope.get("query_string", b"").decode()
                    return await _redirect(path + "/" + ("?" + query if query else ""))(scope, receive, send)
                if path.startswith(tuple(p + "/" for p in STATIC_PREFIXES)) and path.endswith("/"):
                    root = mounted_folder(datasette, LISTED_MOUNT) if path.startswith(listed_prefix) else None
                    folder = folder_to_list(root, path[len(listed_prefix) :]) if root else None
                    if folder is not None:
                        return await _listing(listing_page(path, listed_entries(root, folder)))(scope, receive, send)
                    path = path + "index.html"
                    # raw_path is the path as sent, percent-encoded (Datasette reads it as ASCII).
                    scope = dict(scope, path=path, raw_path=quote(path).encode("ascii"))
            await app(scope, receive, send)

        return directory_index

    return wrap
