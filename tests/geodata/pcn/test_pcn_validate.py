"""The accuracy metrics, exactly as defined: TVD of PCN population shares over the union
of PCNs, and LSOA agreement on the largest-share PCN."""

from __future__ import annotations

import pandas as pd
import pytest

from geodata.errors import BoundaryLabError
from geodata.pcn.validate import (
    evaluate,
    evaluate_by_group,
    largest_share,
    leave_one_group_out,
    total_variation_distance,
)

POPULATION = pd.Series({"E01000001": 400.0, "E01000002": 300.0, "E01000003": 200.0})
TRUTH = pd.Series({"E01000001": "U00001", "E01000002": "U00001", "E01000003": "U00002"})


def shares(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["lsoa_code", "pcn_code", "share"])


def test_tvd_is_half_the_l1_distance_over_the_union() -> None:
    p = pd.Series({"A": 0.5, "B": 0.5})
    q = pd.Series({"B": 0.25, "C": 0.75})
    assert total_variation_distance(p, q) == pytest.approx(0.5 * (0.5 + 0.25 + 0.75))
    assert total_variation_distance(p, p) == 0.0


def test_evaluate_by_hand() -> None:
    estimate = shares(
        [
            ("E01000001", "U00001", 1.0),
            ("E01000002", "U00001", 0.5),
            ("E01000002", "U00003", 0.5),  # a tie: the lowest code (U00001) is the largest
            ("E01000003", "U00002", 1.0),
            ("E01000099", "U00009", 1.0),  # not in the validation file: ignored
        ]
    )
    score = evaluate(estimate, TRUTH, POPULATION)
    # Truth U00001 700/900, U00002 200/900; estimate U00001 550, U00003 150, U00002 200.
    assert score.tvd == pytest.approx(150 / 900)
    assert score.agreement == 1.0
    assert (score.lsoas, score.estimated) == (3, 3)


def test_an_lsoa_without_an_estimate_disagrees() -> None:
    estimate = shares([("E01000001", "U00001", 1.0), ("E01000002", "U00001", 1.0)])
    score = evaluate(estimate, TRUTH, POPULATION)
    assert score.agreement == pytest.approx(2 / 3)
    assert score.tvd == pytest.approx(200 / 900)  # U00002 gets nothing
    assert score.estimated == 2


def test_validation_lsoas_outside_the_vintage_are_refused() -> None:
    truth = pd.concat([TRUTH, pd.Series({"E01999999": "U00001"})])
    with pytest.raises(BoundaryLabError, match="1 validation LSOA.*E01999999"):
        evaluate(shares([]), truth, POPULATION)


def test_largest_share_breaks_ties_by_code() -> None:
    table = shares([("E1", "U00002", 0.5), ("E1", "U00001", 0.5), ("E2", "U00003", 0.9)])
    assert largest_share(table).to_dict() == {"E1": "U00001", "E2": "U00003"}


def test_groups_and_leave_one_group_out() -> None:
    groups = pd.Series({"E01000001": "g1", "E01000002": "g1", "E01000003": "g2"})
    right = shares([(c, p, 1.0) for c, p in TRUTH.items()])
    wrong = shares([(c, "U00009", 1.0) for c in TRUTH.index])
    by_group = evaluate_by_group(right, TRUTH, POPULATION, groups)
    assert list(by_group["group"]) == ["g1", "g2"] and (by_group["tvd"] == 0).all()
    candidates = {"good": right, "bad": wrong}
    assembled, chosen = leave_one_group_out(candidates, TRUTH, POPULATION, groups)
    assert chosen == {"g1": "good", "g2": "good"}
    assert evaluate(assembled, TRUTH, POPULATION).tvd == 0.0
