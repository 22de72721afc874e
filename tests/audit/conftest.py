"""Each test gets its own checkpoint directory: the files outlive the test database."""

import pytest


@pytest.fixture(autouse=True)
def checkpoint_dir(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "audit"
    return settings.AUDIT_CHECKPOINT_DIR
