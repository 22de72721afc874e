import doctest

import pytest

from lianzhang.innovation import analysis, batch, bm25, evaluation, lists, ranking, text


@pytest.mark.parametrize("module", [text, bm25, ranking, evaluation, analysis, lists, batch])
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
