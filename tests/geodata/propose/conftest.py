import pytest
from propose_fixtures import make_data


@pytest.fixture
def grid(tmp_path):
    return make_data(tmp_path)


@pytest.fixture
def grid_sa(tmp_path):
    return make_data(tmp_path, with_sa=True)
