import doctest

import pytest

from lianzhang.innovation import bm25, evaluation, ranking, text


@pytest.mark.parametrize("module", [text, bm25, ranking, evaluation])
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
