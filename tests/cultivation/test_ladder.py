"""The tier ladder: a title counts from its grant to its expiry, both days included."""

import datetime as dt

import pytest

from lianzhang.core.errors import NotFound
from lianzhang.cultivation import ladder

D = dt.date


@pytest.mark.parametrize(
    ("on", "held"),
    [
        (D(2024, 2, 29), False),
        (D(2024, 3, 1), True),
        (D(2027, 2, 28), True),
        (D(2027, 3, 1), False),
    ],
)
def test_a_title_is_held_from_grant_to_expiry_inclusive(on, held):
    assert ladder.holds(D(2024, 3, 1), D(2027, 2, 28), on) is held


def test_a_title_without_expiry_is_held_from_its_grant_on():
    assert ladder.holds(D(2024, 3, 1), None, D(2099, 1, 1))
    assert not ladder.holds(D(2024, 3, 1), None, D(2024, 2, 1))


def test_the_next_rungs_follow_the_miit_and_most_ladders():
    assert ladder.NEXT == {
        "innovative_sme": "specialized_sme",
        "specialized_sme": "little_giant",
        "little_giant": "single_champion",
        "tech_sme": "high_tech",
    }
    # every rung names a registry title and a policy family of the library
    for code in [*ladder.NEXT, *ladder.NEXT.values()]:
        assert ladder.BY_CODE[code].title == code and ladder.BY_CODE[code].family


def test_conversion_counts_only_firms_that_held_the_lower_tier_before():
    assert ladder.conversion({"a", "b", "c"}, {"b", "x"}) == (1, 3)
    assert ladder.conversion(set(), {"x"}) == (0, 0)


def test_an_unknown_tier_is_refused_in_both_languages():
    with pytest.raises(NotFound) as caught:
        ladder.tier("gold")
    assert "未知梯度" in caught.value.zh and "unknown tier" in caught.value.en


def test_the_tier_families_exist_in_the_policy_library():
    from pathlib import Path

    import lianzhang.rules

    library = Path(lianzhang.rules.__file__).parent / "library"
    families = {
        line.split(":", 1)[1].strip()
        for path in library.glob("**/*.yaml")
        if not path.name.endswith((".scenarios.yaml", ".table.yaml"))
        for line in path.read_text("utf-8").splitlines()
        if line.startswith("family:")
    }
    assert {t.family for t in ladder.TIERS if t.family} <= families
