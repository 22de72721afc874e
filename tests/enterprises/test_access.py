import pytest
from django.contrib.auth.models import AnonymousUser, User

from lianzhang.accounts import access
from lianzhang.accounts.services import create_user
from lianzhang.core.errors import PermissionDenied, ValidationError
from lianzhang.enterprises.services import import_file

from .conftest import A, B

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(enterprises_csv):
    import_file(enterprises_csv, "enterprises")
    return {
        "admin": create_user("a", "pw-123456", "admin"),
        "analyst": create_user("b", "pw-123456", "analyst"),
        "district": create_user("c", "pw-123456", "district", district="成都高新区"),
        "enterprise": create_user("d", "pw-123456", "enterprise", uscc=B),
        "nobody": User.objects.create_user("e", password="pw-123456"),
    }


def visible(user, action="view"):
    return set(access.enterprises_for(user, action).values_list("pk", flat=True))


def test_each_role_sees_exactly_its_scope(users):
    assert visible(users["admin"]) == {A, B}
    assert visible(users["analyst"]) == {A, B}
    assert visible(users["district"]) == {A}
    assert visible(users["enterprise"]) == {B}
    assert visible(users["nobody"]) == set()
    assert visible(AnonymousUser()) == set()


def test_changes_are_narrower_than_views(users):
    assert visible(users["district"], "change") == {A}
    assert visible(users["enterprise"], "change") == set()
    assert access.can(users["analyst"], "import")
    assert not access.can(users["district"], "import")
    assert not access.can(users["enterprise"], "import")


def test_other_district_is_indistinguishable_from_missing(users):
    with pytest.raises(PermissionDenied) as other:
        access.enterprise_for(users["district"], B)
    with pytest.raises(PermissionDenied) as missing:
        access.enterprise_for(users["district"], "X" * 18)
    assert other.value.en.replace(B, "?") == missing.value.en.replace("X" * 18, "?")


def test_import_requires_the_import_right(users, enterprises_csv):
    with pytest.raises(PermissionDenied):
        import_file(enterprises_csv, "enterprises", user=users["district"])


def test_bindings_are_required(users):
    with pytest.raises(ValidationError, match="district"):
        create_user("f", "pw-123456", "district")
    with pytest.raises(ValidationError, match="uscc"):
        create_user("g", "pw-123456", "enterprise", uscc="91510100MA6C0000XX")
