import pytest
from hypothesis import given
from hypothesis import strategies as st

from lianzhang.core import uscc
from lianzhang.core.errors import ValidationError

bodies = st.text(alphabet=uscc.ALPHABET, min_size=17, max_size=17)


def test_known_real_code_is_valid():
    assert uscc.validate("91350100M000100Y43") == "91350100M000100Y43"


def test_error_names_the_wrong_check_character():
    with pytest.raises(ValidationError) as exc:
        uscc.validate("91350100M000100Y42")
    assert "校验位应为 3，实为 2" in exc.value.zh
    assert "check character should be 3, found 2" in exc.value.en


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91350100M000100Y4", "应为 18 位，实为 17 位"),
        ("91350100M000100I43", "第 16 位字符 'I' 不合法"),
        ("9135010-M000100Y43", "第 8 位字符 '-' 不合法"),
    ],
)
def test_malformed_codes_say_where(code, fragment):
    assert fragment in (uscc.problem(code) or "")


def test_lower_case_and_blanks_are_normalised():
    assert uscc.validate(" 91350100m000100y43\n") == "91350100M000100Y43"


@given(bodies)
def test_made_codes_validate(body):
    assert uscc.problem(uscc.make(body)) is None


@given(bodies, st.integers(min_value=0, max_value=17), st.sampled_from(uscc.ALPHABET))
def test_any_single_substitution_is_detected(body, position, char):
    code = uscc.make(body)
    changed = code[:position] + char + code[position + 1 :]
    assert (uscc.problem(changed) is None) == (changed == code)
