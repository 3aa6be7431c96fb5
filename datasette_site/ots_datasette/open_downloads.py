"""Access-Control-Allow-Origin on the release files under /downloads/ (make serve).

Datasette's --cors (set in ots_data/serving.py) opens its own JSON and CSV to other origins, but not
the files of a --static mount. A notebook, Datasette Lite or a chart on another site loads a
release's CSV from here, so the header is added to every answer under /downloads/, on Datasette's
documented `asgi_wrapper` hook. In production nginx serves /downloads/ and adds the same header
(deploy/nginx-site.conf.j2).
"""

from collections.abc import Awaitable, Callable

from datasette import hookimpl

ASGIApp = Callable[[dict, Callable, Callable], Awaitable[None]]

PREFIX = "/downloads/"


@hookimpl
def asgi_wrapper(datasette: object) -> Callable[[ASGIApp], ASGIApp]:
    def wrap(app: ASGIApp) -> ASGIApp:
        async def open_downloads(scope: dict, receive: Callable, send: Callable) -> None:
            if scope.get("type") != "http" or not scope.get("path", "").startswith(PREFIX):
                return await app(scope, receive, send)

            async def send_with_origin(message: dict) -> None:
                if message["type"] == "http.response.start":
                    headers = [h for h in message.get("headers", []) if h[0].lower() != b"access-control-allow-origin"]
                    message = {**message, "headers": [*headers, [b"access-control-allow-origin", b"*"]]}
                await send(message)

            await app(scope, receive, send_with_origin)

        return open_downloads

    return wrap
