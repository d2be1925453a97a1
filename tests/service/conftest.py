from service_fixtures import (  # noqa: F401  (pytest finds fixtures here)
    app,
    client,
    database_url,
    postgres_admin,
    postgres_url,
    tiny_data_dir,
)
