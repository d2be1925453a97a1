"""Security headers on every response: one Content Security Policy, ``nosniff``, frame
protection, a referrer policy (and HSTS over HTTPS).

Scripts: only the service's own files, plus inline scripts a page declares, either by
hash (map pages: folium writes two inline scripts per page, hashed once when the page is
built and cached with it) or by a per-request nonce (``{{ csp_nonce() }}`` in templates).
Styles allow inline (folium's and the templates' ``<style>`` and ``style=""`` attributes);
every user string is escaped, so that admits no markup from users.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, g, request

INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def inline_script_hashes(html: str) -> tuple[str, ...]:
    """CSP source expressions ('sha256-…') for every inline ``<script>`` of ``html``."""
    return tuple(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
        for s in INLINE_SCRIPT.findall(html)
    )


def allow_inline_scripts(hashes: tuple[str, ...]) -> None:
    """Let this response's page run the inline scripts with these hashes."""
    g.csp_script_hashes = hashes


def csp_nonce() -> str:
    """This request's nonce, for a template's ``<script nonce="…">``."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


def tile_source(template: str) -> str:
    """The origin a tile URL template loads from ('{s}' subdomains become '*')."""
    if not template:
        return ""
    parts = urlsplit(template)
    host = re.sub(r"\{[a-z]\}", "*", parts.netloc)
    return f"{parts.scheme}://{host}" if parts.scheme in ("http", "https") and host else ""


def content_security_policy(app: Flask) -> str:
    scripts = ["'self'", *g.get("csp_script_hashes", ())]
    if "csp_nonce" in g:
        scripts.append(f"'nonce-{g.csp_nonce}'")
    images = " ".join(filter(None, ["'self'", "data:", tile_source(app.config["TILES"])]))
    return "; ".join([
        "default-src 'none'",
        f"script-src {' '.join(scripts)}",
        "style-src 'self' 'unsafe-inline'",
        f"img-src {images}",
        "connect-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ])  # fmt: skip


def register_security_headers(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = content_security_policy(app)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if request.is_secure:
            headers["Strict-Transport-Security"] = "max-age=31536000"
        return response
