"""The production password rules (the suite's conftest shortens the minimum for fixtures)."""

import pytest

import lianzhang.settings


@pytest.fixture
def production_passwords(settings):
    settings.AUTH_PASSWORD_VALIDATORS = lianzhang.settings.AUTH_PASSWORD_VALIDATORS
    return settings
