"""One error class, one handler, one JSON shape: {"error": {"code", "message", "details"}}.

Bad input is a 4xx with a message that says what was wrong and what is allowed; any
other failure is a 500 with no internals. Nothing reaches a client as a traceback.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from geodata.errors import BoundaryLabError, UnknownNameError
from geodata.scenarios.upload import UploadError

from .db import ConflictError, DatabaseUnavailable, NotAllowedError


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}


def bad_request(message: str, **details: Any) -> ApiError:
    return ApiError(400, "bad_request", message, details)


def not_found(message: str, **details: Any) -> ApiError:
    return ApiError(404, "not_found", message, details)


def error_response(status: int, code: str, message: str, details: dict[str, Any]) -> Response:
    response = jsonify({"error": {"code": code, "message": message, "details": details}})
    response.status_code = status
    return response


def _http_code(exc: HTTPException) -> str:
    return (exc.name or "error").lower().replace(" ", "_").replace("'", "")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return error_response(exc.status, exc.code, exc.message, exc.details)

    @app.errorhandler(UnknownNameError)
    def _unknown_name(exc: UnknownNameError) -> Response:
        status = 404 if exc.kind.endswith("area") or exc.kind == "code" else 400
        code = "not_found" if status == 404 else "bad_request"
        return error_response(status, code, str(exc), {"value": exc.value, "valid": exc.valid})

    @app.errorhandler(UploadError)
    def _upload_error(exc: UploadError) -> Response:
        return error_response(422, "unprocessable_upload", str(exc), {})

    @app.errorhandler(BoundaryLabError)
    def _domain_error(exc: BoundaryLabError) -> Response:
        return error_response(400, "bad_request", str(exc), {})

    @app.errorhandler(NotAllowedError)
    def _not_allowed(exc: NotAllowedError) -> Response:
        return error_response(403, "forbidden", str(exc), {"required": "author or admin"})

    @app.errorhandler(ConflictError)
    def _conflict(exc: ConflictError) -> Response:
        return error_response(409, "conflict", str(exc), {})

    @app.errorhandler(DatabaseUnavailable)
    def _unavailable(exc: DatabaseUnavailable) -> Response:
        return _database_down(str(exc))

    @app.errorhandler(sa.exc.OperationalError)
    @app.errorhandler(sa.exc.InterfaceError)
    @app.errorhandler(sa.exc.TimeoutError)
    def _database_error(exc: Exception) -> Response:
        app.logger.warning("database error on %s %s: %s", request.method, request.path, exc)
        return _database_down("the database did not answer in time or is unreachable")

    def _database_down(message: str) -> Response:
        response = error_response(503, "database_unavailable", message, {})
        response.headers["Retry-After"] = "10"
        return response

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        message = exc.description or exc.name
        details: dict[str, Any] = {"path": request.path}
        if exc.code == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            message = f"the request body is larger than the limit of {limit:,} bytes"
            details["limit_bytes"] = limit
        allowed = sorted(getattr(exc, "valid_methods", None) or [])
        if exc.code == 405:
            details["allowed"] = allowed
        response = error_response(exc.code or 500, _http_code(exc), message, details)
        if exc.code == 405:  # RFC 9110: a 405 names the methods the resource has
            response.headers["Allow"] = ", ".join(allowed)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(
            500, "internal_error", "an unexpected error occurred; it is logged", {}
        )
