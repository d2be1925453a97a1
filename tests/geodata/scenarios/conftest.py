from scenario_fixtures import (  # noqa: F401  (pytest finds fixtures here)
    data2022,
    data2024,
    tiny,
    tiny_island,
)
