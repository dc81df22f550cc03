"""The dashboard's ASGI application: the routes of pages.py, and what every response passes
through: the token check, the security headers, error pages with the CLI's one-line message."""

from __future__ import annotations

import contextlib
import hmac
from pathlib import Path
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from agentlog.errors import AgentlogError, NotFoundError, one_line

HERE = Path(__file__).parent
WORKERS = 8  # threads that run pages at once, each with its own connection to the log
COOKIE = "agentlog_token"
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                               "base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class Guard(BaseHTTPMiddleware):
    """With a token: `Authorization: Bearer` (the API), the cookie, or `?token=` once, which
    sets the cookie and redirects to the same URL without it. Every response gets HEADERS."""

    def __init__(self, app, token: str | None):
        super().__init__(app)
        self.token = token

    async def dispatch(self, request: Request, call_next):
        response = await self._checked(request, call_next)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    async def _checked(self, request: Request, call_next):
        if self.token is None:
            return await call_next(request)
        given = request.query_params.get("token")
        if given is not None and _same(given, self.token):
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            target = request.url.path + ("?" + urlencode(rest) if rest else "")
            response = RedirectResponse(target, status_code=303)
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict",
                                secure=request.url.scheme == "https")
            return response
        header = request.headers.get("authorization", "")
        bearer = header[7:] if header.lower().startswith("bearer ") else None
        if any(v is not None and _same(v, self.token)
               for v in (bearer, request.cookies.get(COOKIE))):
            return await call_next(request)
        return PlainTextResponse("agentlog: a token is needed (open the URL with ?token=…, "
                                 "or send Authorization: Bearer)", status_code=401)


def _same(given: str, token: str) -> bool:
    return hmac.compare_digest(given.encode(), token.encode())


def create(log, settings, full_settings, token: str | None = None) -> Starlette:
    """The application over an open Log; `full_settings()` loads the validated settings
    (budgets) when a page needs them."""
    from agentlog.web import pages

    routes = [*pages.routes(), Mount("/static", StaticFiles(directory=HERE / "static"),
                                     name="static")]
    app = Starlette(routes=routes, middleware=[Middleware(Guard, token=token)],
                    lifespan=_lifespan,
                    exception_handlers={AgentlogError: _failure, HTTPException: _failure,
                                        Exception: _failure})
    app.state.log, app.state.settings, app.state.full_settings = log, settings, full_settings
    return app


@contextlib.asynccontextmanager
async def _lifespan(app: Starlette):
    """Pages run in anyio's worker threads (40 by default): a few suffice, and fewer
    threads hold fewer connections (store/perthread.py)."""
    import anyio.to_thread

    anyio.to_thread.current_default_thread_limiter().total_tokens = WORKERS
    yield


async def _failure(request: Request, exc: Exception):
    """A bad parameter is a 400 with the CLI's message; an unknown row or page a 404."""
    from agentlog.web.pages import render

    if isinstance(exc, HTTPException):
        code, message = exc.status_code, exc.detail
    elif isinstance(exc, NotFoundError):
        code, message = 404, str(exc)
    elif isinstance(exc, AgentlogError):
        code, message = (400 if getattr(exc, "exit_code", 1) == 2 else 500), str(exc)
    else:
        code, message = 500, f"internal error: {type(exc).__name__}"
    message = one_line(str(message))
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=code)
    return render(request, "error.html", {"code": code, "message": message}, code)
