"""The production recipe for gunicorn: ``gunicorn -c python:service.gunicorn_conf
--bind 127.0.0.1:8000 service.wsgi:app`` (see the README).

Threaded workers (gthread): a connection waits in the worker's poller until it has data,
and each of ``threads`` threads serves one request at a time, so a few slow or idle
clients hold a thread each, not a whole worker as with the sync worker class (two slow
clients stopped the sync recipe for 30 s). Put a buffering proxy (nginx) in front for
the open internet; this holds slow clients off on a trusted network without one.

Numbers come from gunicorn's own environment variables when set (WEB_CONCURRENCY for
workers, GUNICORN_CMD_ARGS for anything else).
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = 16
#: Seconds a request may take before its worker is restarted (a map page is < 5 s).
timeout = 30
graceful_timeout = 20
#: Idle keep-alive connections wait in the poller, not in a thread; close them soon.
keepalive = 5
#: Bounds on the request line and headers (gunicorn's defaults, stated here).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
#: Each worker loads the store and opens its database connections itself (preloading
#: would share connections across forks).
preload_app = False
