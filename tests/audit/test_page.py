"""The audit page: each trail with its newest checkpoint and a verification done on the visit."""

import importlib

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db
policy_audit = importlib.import_module("lianzhang.policies.services.audit")


class Thing:
    def __init__(self, pk):
        self.pk = pk


def fill(n):
    for i in range(n):
        policy_audit.audit(None, "open", Thing(i), to_state="eligible", data={"i": i})


def row_of(html, stream):
    start = html.index(f'data-stream="{stream}"')
    return html[start : html.index("</tr>", start)]


def test_the_page_shows_the_checkpoint_and_that_the_trail_is_intact(client_as):
    fill(5)
    head = policy_audit.checkpoint()
    html = client_as("analyst").get("/audit/").content.decode()
    row = row_of(html, "policies.auditevent")
    assert f"#{head.seq}" in row and head.hash[:16] in row
    assert "完整" in row and "受损" not in row
    assert 'data-stream="appeals.event"' in html and 'data-stream="innovation.event"' in html


def test_a_deleted_tail_shows_as_damaged_on_the_page(client_as):
    fill(8)
    policy_audit.checkpoint()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM policies_auditevent WHERE seq > 6")
    html = client_as("analyst").get("/audit/").content.decode()
    row = row_of(html, "policies.auditevent")
    assert "受损" in row and "#8" in row


@pytest.mark.parametrize("role", ["district", "enterprise"])
def test_only_bureau_staff_see_the_audit_page(client_as, role):
    response = client_as(role).get("/audit/")
    assert response.status_code == 403
    assert "policies.auditevent" not in response.content.decode()


def test_the_navigation_offers_the_page_to_the_bureau_only(client_as):
    assert 'href="/audit/"' in client_as("analyst").get("/appeals/").content.decode()
    assert 'href="/audit/"' not in client_as("district").get("/appeals/").content.decode()
