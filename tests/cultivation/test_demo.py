"""The demo hook: targets for every district of the demo city, a pipeline, and idempotence."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_demo_sets_targets_some_met_and_a_pipeline(settings, tmp_path):
    from django.utils import timezone

    from lianzhang.cultivation import demo, queries
    from lianzhang.cultivation.models import ListingCandidate, Target
    from lianzhang.demo import loader
    from lianzhang.enterprises.models import Enterprise

    settings.DATA_DIR = tmp_path
    loader.load_demo(seed=9, enterprises=300, echo=lambda _: None)
    loader.create_demo_users()
    assert "上市后备" in demo.load_demo(lambda _: None)
    rows = queries.targets(
        Enterprise.objects.all(), timezone.localdate().year, timezone.localdate()
    )
    assert rows and len(rows) == Target.objects.count()
    met = [r for r in rows if r["achieved"] >= r["target"]]
    assert 0 < len(met) < len(rows)
    assert ListingCandidate.objects.count() == 12
    assert "跳过" in demo.load_demo(lambda _: None) and Target.objects.count() == len(rows)
