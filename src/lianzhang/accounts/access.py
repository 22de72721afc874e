"""Every permission decision of the platform, in one place.

Pages, the API, exports and the CLI ask ``enterprises_for(user, action)`` for the
enterprises a user may see or change, and restrict every query through it. A user with
no profile sees nothing: access is granted, never assumed.

The role vocabulary lives here too: ``is_bureau`` (the bureau's own staff, who review,
approve and analyse), ``is_admin``, ``is_district`` and ``is_enterprise_user``, and
``district_of`` for a district officer's scope. Apps never compare roles themselves: they
call these, or the ``visible_to(user)`` queryset methods of their models, which call
``enterprises_for``. A search for role comparisons outside this module should find
nothing (``tests/test_architecture.py`` checks it).
"""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import QuerySet

from lianzhang.core.errors import PermissionDenied
from lianzhang.enterprises.models import Enterprise

from .models import Profile, Role

Action = Literal["view", "change", "import", "admin"]

#: The bureau's own staff: they review, approve, pay and see every district.
BUREAU_ROLES: tuple[str, ...] = (Role.ADMIN, Role.ANALYST)


def role_of(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return Role.ADMIN
    profile = _profile(user)
    return profile.role if profile else None


def role_label(user: Any) -> str | None:
    """The user's role as shown in the page header; None without a role."""
    role = role_of(user)
    return None if role is None else str(Role(role).label)


def is_bureau(user: Any) -> bool:
    """Bureau staff (administrators and analysts): the one definition of it."""
    return role_of(user) in BUREAU_ROLES


def is_admin(user: Any) -> bool:
    return role_of(user) == Role.ADMIN


def is_district(user: Any) -> bool:
    return role_of(user) == Role.DISTRICT


def is_enterprise_user(user: Any) -> bool:
    return role_of(user) == Role.ENTERPRISE


def district_of(user: Any) -> str | None:
    """The district a district officer is bound to; None for everyone else."""
    profile = _profile(user)
    if role_of(user) == Role.DISTRICT and profile is not None:
        return profile.district
    return None


def own_enterprise_id(user: Any) -> str | None:
    """The USCC an enterprise user acts for; None for everyone else."""
    profile = _profile(user)
    if role_of(user) == Role.ENTERPRISE and profile is not None:
        return profile.enterprise_id
    return None


def bureau_users() -> QuerySet[Any]:
    """Users who may be assigned bureau work (reviewers, experts from the staff)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(profile__role__in=BUREAU_ROLES)


def first_admin() -> Any:
    """The administrator the CLI acts as (the first one), for the audit log."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    return (
        users.filter(is_superuser=True).order_by("pk").first()
        or users.filter(profile__role=Role.ADMIN).order_by("pk").first()
    )


def require_bureau(user: Any) -> None:
    if not is_bureau(user):
        raise PermissionDenied("只有局内人员可以执行此操作", "only bureau staff may do this")


def require_admin(user: Any) -> None:
    if not is_admin(user):
        raise PermissionDenied(
            "只有局管理员可以执行此操作", "only a bureau administrator may do this"
        )


def _profile(user: Any) -> Profile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        profile: Profile = user.profile
    except Profile.DoesNotExist:
        return None
    return profile


def enterprises_for(user: Any, action: Action = "view") -> QuerySet[Enterprise]:
    """The enterprises ``user`` may ``action``; an empty queryset when none."""
    role = role_of(user)
    everything = Enterprise.objects.all()
    if role == Role.ADMIN:
        return everything
    if role == Role.ANALYST:
        return everything if action in ("view", "change", "import") else everything.none()
    profile = _profile(user)
    if role == Role.DISTRICT and profile is not None and action in ("view", "change"):
        return everything.filter(district=profile.district)
    if role == Role.ENTERPRISE and profile is not None and action == "view":
        return everything.filter(pk=profile.enterprise_id)
    return everything.none()


def can(user: Any, action: Action) -> bool:
    """May ``user`` do ``action`` on anything at all (e.g. open the import page)?"""
    role = role_of(user)
    if action == "admin":
        return role == Role.ADMIN
    if action == "import":
        return role in (Role.ADMIN, Role.ANALYST)
    return role is not None


def require(user: Any, action: Action) -> None:
    if not can(user, action):
        raise PermissionDenied("无权执行此操作", "you are not allowed to do this")


def enterprise_for(user: Any, uscc: str, action: Action = "view") -> Enterprise:
    """One enterprise, or PermissionDenied when it is outside the user's reach.

    The same answer whether the enterprise does not exist or is merely not visible, so
    that a district officer cannot probe another district's registry.
    """
    found = enterprises_for(user, action).filter(pk=uscc).first()
    if found is None:
        raise PermissionDenied(
            f"无权访问企业 {uscc}（或该企业不存在）",
            f"enterprise {uscc} is not accessible to you (or does not exist)",
        )
    return found


# --- policies: cases -------------------------------------------------------------------------


def cases_for(user: Any) -> QuerySet[Any]:
    """Policy cases a user may see: the bureau all, a district its own, an enterprise its own.

    The same as ``Case.objects.visible_to(user)``; the model is looked up by name, so that
    this module imports nothing of ``policies`` (which asks this module).
    """
    from django.apps import apps

    cases: QuerySet[Any] = apps.get_model("policies", "Case").objects.all()
    return cases.filter(enterprise__in=enterprises_for(user, "view"))


def first_of_role(role: str) -> Any:
    """The first user (by pk) whose profile holds ``role``, or None (the demo's stand-ins)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(profile__role=role).order_by("pk").first()


def enterprise_login(uscc: str) -> Any:
    """The first user acting for enterprise ``uscc``, or None."""
    profile = Profile.objects.filter(enterprise_id=uscc, role=Role.ENTERPRISE).first()
    return None if profile is None else profile.user


def check_case_actor(user: Any, case: Any, who: str) -> None:
    """May ``user`` move a policy case by an action reserved to ``who``?

    ``who`` is the state machine's third column (``policies.workflow.TRANSITIONS``):
    ``enterprise`` (its own users only), ``reviewer`` (the assigned reviewer, after a
    declaration of no conflict, for 申报 cases and cases under review; bureau staff
    otherwise) or ``bureau``. ``user=None`` is the platform itself (scheduled runs,
    payment batches), which may do anything but speak for the enterprise.
    """
    from lianzhang.policies.workflow import Mode, State

    if user is None:
        if who == "enterprise":
            raise PermissionDenied("只有企业本身可以执行此操作", "only the enterprise may do this")
        return
    if who == "enterprise":
        if own_enterprise_id(user) != case.enterprise_id:
            raise PermissionDenied(
                "只有该企业的用户可以执行此操作", "only a user of this enterprise may do this"
            )
    elif who == "reviewer":
        if case.policy.mode == Mode.APPLICATION or case.state == State.UNDER_REVIEW:
            if case.reviewer_id != getattr(user, "pk", None):
                raise PermissionDenied(
                    "只有分配的评审人可以作出评审决定", "only the assigned reviewer may decide"
                )
            declared = case.reviews.filter(reviewer=user).order_by("-at").first()
            if declared is None or declared.conflict:
                raise PermissionDenied(
                    "作出决定前须声明无利益冲突（有冲突者须回避）",
                    "declare no conflict of interest before deciding (recuse if conflicted)",
                )
        elif not is_bureau(user):
            raise PermissionDenied("只有局内人员可以审批", "only bureau staff may approve")
    elif who == "department":
        department = handler_department_id(user)
        if (
            department is None
            or not case.review_tasks.filter(department_id=department, status="pending").exists()
        ):
            raise PermissionDenied(
                "只有承担联审任务的部门可以作出联审决定",
                "only a department with a joint review task on the case may decide it",
            )
    elif not is_bureau(user):
        raise PermissionDenied("只有局内人员可以执行此操作", "only bureau staff may do this")


def may_act_for(user: Any, uscc: str) -> bool:
    """May ``user`` post on behalf of enterprise ``uscc`` (a technical demand, a bid)?

    Those who may change the enterprise, and the enterprise's own users.
    """
    if enterprises_for(user, "change").filter(pk=uscc).exists():
        return True
    return own_enterprise_id(user) == uscc


# --- appeals --------------------------------------------------------------------------------


def appeals_for(user: Any, appeals: QuerySet[Any]) -> QuerySet[Any]:
    """Appeals a user may see: the bureau all, a district officer its district's, an
    enterprise user its own, an appeals handler those assigned to its department."""
    from django.db.models import Q

    if is_bureau(user):
        return appeals
    seen = Q(enterprise__in=enterprises_for(user, "view"))
    if is_district(user):
        seen |= Q(district=district_of(user))
    department = handler_department_id(user)
    if department is not None:
        seen |= Q(assignments__department_id=department)
    if not getattr(user, "is_authenticated", False):
        return appeals.none()
    return appeals.filter(seen).distinct()


def handler_department_id(user: Any) -> int | None:
    """The appeals department a user handles for, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    # the reverse one-to-one of appeals.Handler: no import, so no cycle with appeals.models
    handler = getattr(user, "appeal_handler", None)
    return None if handler is None else int(handler.department_id)


def review_tasks_for(user: Any, tasks: QuerySet[Any]) -> QuerySet[Any]:
    """联审 tasks ``user`` may see: its department's; the bureau sees every task."""
    if is_bureau(user):
        return tasks
    department = handler_department_id(user)
    return tasks.none() if department is None else tasks.filter(department_id=department)


def may_decide_task(user: Any, task: Any) -> bool:
    """Only the department a 联审 task is for decides it (not the bureau on its behalf)."""
    department = handler_department_id(user)
    return department is not None and department == task.department_id


def may_handle(user: Any, assignment: Any) -> bool:
    """May ``user`` act on an appeal assignment (accept, refuse, extend, complete)?"""
    return is_bureau(user) or handler_department_id(user) == assignment.department_id


def may_coordinate(user: Any, appeal: Any) -> bool:
    """May ``user`` dispatch, escalate, call back or merge an appeal?

    The bureau always; a district officer for district-level appeals of its district.
    """
    if is_bureau(user):
        return True
    return is_district(user) and appeal.level == "district" and appeal.district == district_of(user)


def may_file_appeal(user: Any, uscc: str) -> bool:
    """Enterprise users for their own enterprise; staff who may act for it (on its behalf)."""
    return may_act_for(user, uscc) or is_bureau(user)


def may_attach(user: Any, appeal: Any) -> bool:
    """May ``user`` add a file to an appeal: who filed it, who coordinates it, who handles it."""
    if may_file_appeal(user, appeal.enterprise_id) or may_coordinate(user, appeal):
        return True
    department = handler_department_id(user)
    return department is not None and appeal.assignments.filter(department_id=department).exists()


# --- innovation: demands, challenges and results (visible_to) -------------------------------


def demands_for(user: Any, demands: QuerySet[Any]) -> QuerySet[Any]:
    """Technical demands (of ``demands``) a user may see: the bureau all, everyone else those
    of the enterprises they may view. ``Demand.objects.visible_to(user)`` asks this."""
    if is_bureau(user):
        return demands
    return demands.filter(enterprise__in=enterprises_for(user, "view"))


def challenges_for(user: Any, challenges: QuerySet[Any]) -> QuerySet[Any]:
    """揭榜挂帅 challenges a user may see: the bureau all, drafts included; everyone else
    those past the draft. ``Challenge.objects.visible_to(user)`` asks this."""
    if is_bureau(user):
        return challenges
    return challenges.exclude(status="draft")


def enterprises_to_post_for(user: Any) -> QuerySet[Enterprise]:
    """Enterprises a user may post demands, results and bids for (``may_act_for`` as a
    queryset): an enterprise user its own, everyone else those they may change."""
    if is_enterprise_user(user):
        return enterprises_for(user, "view")
    return enterprises_for(user, "change")


def providers_for(user: Any, providers: QuerySet[Any]) -> QuerySet[Any]:
    """Innovation providers a user may post capabilities, results and bids for: the bureau
    all, others the providers of enterprises they may post for.
    ``Provider.objects.postable_by(user)`` asks this."""
    if is_bureau(user):
        return providers
    return providers.filter(enterprise__in=enterprises_to_post_for(user))


def match_scope(user: Any) -> set[str] | None:
    """USCCs a user may see among match results; None means all (the bureau)."""
    if is_bureau(user):
        return None
    return set(enterprises_for(user, "view").values_list("pk", flat=True))


def innovation_actor() -> Any:
    """The bureau user the innovation demo acts as: the first active administrator, else a
    system account no one logs in to (``innovation-demo``: a superuser, inactive, with no
    usable password), created once."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    for user in users.filter(is_active=True).order_by("id"):
        if is_admin(user):
            return user
    user, created = users.get_or_create(
        username="innovation-demo", defaults={"is_superuser": True, "is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


# --- chains ---------------------------------------------------------------------------------


def may_analyse_chains(user: Any) -> bool:
    """Chain health, gaps, 招商 targets, relatedness and the node lists are the bureau's and
    the districts' analysis; an enterprise user sees its own position instead."""
    return is_bureau(user) or is_district(user)


def require_chain_analysis(user: Any) -> None:
    if not may_analyse_chains(user):
        raise PermissionDenied(
            "产业链分析仅供局内和区（市）县人员使用；企业可在“产业链”查看本企业所处位置",
            "chain analysis is for bureau and district staff; an enterprise sees its own "
            "position under Chains",
        )


# --- cultivation (梯度培育) ------------------------------------------------------------------


def cultivation_scope(user: Any) -> QuerySet[Enterprise]:
    """The enterprises whose tiers ``user`` may analyse: the bureau all, a district officer
    their district. Enterprise users are refused: the pyramid and candidate lists are the
    bureau's analysis of other firms."""
    if is_bureau(user) or is_district(user):
        return enterprises_for(user)
    raise PermissionDenied(
        "梯度培育分析仅供局内和区（市）县人员使用", "tier analysis is for bureau and district staff"
    )


def may_set_targets(user: Any) -> bool:
    """Targets and the listing pipeline are the bureau's to set."""
    return is_bureau(user)


# --- policies: match-run history ------------------------------------------------------------


def match_runs_scope(user: Any) -> QuerySet[Enterprise] | None:
    """Who may read the match-run history, manifests and diffs, and over which enterprises.

    The bureau: every enterprise (None). A district officer: the run-level figures the
    dashboard already shows, and results and diffs of its district's enterprises only.
    Anyone else (an enterprise user, no role): PermissionDenied.
    """
    if is_bureau(user):
        return None
    if is_district(user):
        return enterprises_for(user, "view")
    raise PermissionDenied(
        "只有局内和区（市）县人员可以查看匹配记录", "match runs are for bureau and district staff"
    )
