"""Serve index.html for directory URLs under the static mounts (/docs/, /downloads/).

Datasette 0.65's --static answers 403 for a directory URL, and MkDocs links to directories
(/docs/methodology/). This wrapper rewrites such requests to the directory's index.html and
redirects the bare prefix (/docs) to /docs/. Written here because no maintained plugin does this.
"""

from collections.abc import Awaitable, Callable

from datasette import hookimpl

ASGIApp = Callable[[dict, Callable, Callable], Awaitable[None]]

STATIC_PREFIXES = ("/docs", "/downloads")


def _redirect(location: str) -> ASGIApp:
    async def app(scope: dict, receive: Callable, send: Callable) -> None:
        await send({"type": "http.response.start", "status": 302, "headers": [[b"location", location.encode()]]})
        await send({"type": "http.response.body", "body": b""})

    return app


@hookimpl
def asgi_wrapper(datasette: object) -> Callable[[ASGIApp], ASGIApp]:
    def wrap(app: ASGIApp) -> ASGIApp:
        async def directory_index(scope: dict, receive: Callable, send: Callable) -> None:
            if scope.get("type") == "http":
                path = scope.get("path", "")
                if path in STATIC_PREFIXES:
                    query = scope.get("query_string", b"").decode()
                    return await _redirect(path + "/" + ("?" + query if query else ""))(scope, receive, send)
                if path.startswith(tuple(p + "/" for p in STATIC_PREFIXES)) and path.endswith("/"):
                    path = path + "index.html"
                    scope = dict(scope, path=path, raw_path=path.encode())
            await app(scope, receive, send)

        return directory_index

    return wrap
