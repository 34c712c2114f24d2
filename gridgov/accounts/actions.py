"""Writes on accounts: every one audited in its own transaction."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from gridgov.accounts import throttle
from gridgov.accounts.models import OneTimeCode, RoleAssignment, User
from gridgov.accounts.roles import ROLE_SCOPES, Role
from gridgov.core import audit, notify, pii, scope
from gridgov.core.errors import Refusal
from gridgov.core.scope import forget_assignments

audit.register("accounts.user.created", "新建账号")
audit.register("accounts.role.assigned", "授予角色")
audit.register("accounts.role.revoked", "撤销角色")
audit.register("accounts.login_code.sent", "发送登录验证码")
audit.register("accounts.login.failed", "登录失败")
audit.register("accounts.login.succeeded", "登录成功")


# One code per number per minute; a code is burnt after this many wrong tries.
CODE_RESEND_SECONDS = 60
CODE_MAX_ATTEMPTS = 5


@transaction.atomic
def create_user(*, actor, phone: str, name: str, password: str | None = None, **fields) -> User:
    user = User.objects.create_user(phone, password, name=name, **fields)
    audit.record(
        "accounts.user.created",
        actor=actor,
        target=user,
        changes={"account": user.masked_phone},
    )
    return user


def check_assignment(role: str, scope_kind: str, scope_id: int) -> None:
    """Refuse a role the scope kind cannot hold, or a scope that does not exist."""
    if role not in Role.values:
        raise Refusal("invalid", f"未知角色：{role}", "role")
    if scope_kind not in ROLE_SCOPES[role]:
        raise Refusal("invalid", "该角色不能授予此类范围", "scope_kind")
    if not scope.kind(scope_kind).exists(scope_id):
        raise Refusal("not_found", "授权范围不存在", "scope_id")


@transaction.atomic
def assign_role(user: User, role: str, scope_kind: str, scope_id: int, *, actor) -> RoleAssignment:
    check_assignment(role, scope_kind, scope_id)
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, scope_kind=scope_kind, scope_id=scope_id
    )
    if created:
        audit.record(
            "accounts.role.assigned",
            actor=actor,
            target=user,
            changes={"role": role, "scope_kind": scope_kind, "scope_id": scope_id},
        )
    forget_assignments(user)
    return assignment


@transaction.atomic
def revoke_role(assignment: RoleAssignment, *, actor) -> None:
    audit.record(
        "accounts.role.revoked",
        actor=actor,
        target=assignment.user,
        changes={"role": assignment.role, "scope_kind": assignment.scope_kind,
                 "scope_id": assignment.scope_id},
    )
    assignment.delete()
    forget_assignments(assignment.user)


def log_in_with_password(request, phone: str, password: str) -> User:
    ip = request.META.get("REMOTE_ADDR")
    index = pii.blind_index(pii.normalize_phone(phone))
    if throttle.is_locked_out(index, ip):
        raise Refusal("throttled", "登录失败次数过多，请稍后再试")
    user = authenticate(request, phone=phone, password=password)
    if user is None:
        _note_failed_login(index, ip, phone, "password")
        raise Refusal("invalid", "手机号或密码不正确")
    throttle.clear(index)
    return user


def _hash_code(phone_index: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone_index}:{code}".encode(),
                    hashlib.sha256).hexdigest()


def send_login_code(request, phone: str) -> None:
    """Send a six-digit code if the number belongs to an active user; say nothing either way.

    The one-a-minute limit is kept per number whether or not it is registered, so that the
    answer to a second request cannot tell which numbers have an account."""
    phone = pii.normalize_phone(phone)
    if not pii.is_valid_mobile(phone):
        raise Refusal("invalid_phone", "请输入11位手机号码")
    index = pii.blind_index(phone)
    ip = request.META.get("REMOTE_ADDR")
    if throttle.is_locked_out(index, ip):
        raise Refusal("throttled", "登录失败次数过多，请稍后再试")
    if not cache.add(f"login-code-sent:{index}", 1, timeout=CODE_RESEND_SECONDS):
        raise Refusal("too_soon", "验证码已发送，请一分钟后再试")
    user = User.objects.filter(phone_index=index, is_active=True).first()
    if user is None:
        return
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        # A new code replaces any earlier one: only the latest message is valid.
        OneTimeCode.objects.filter(phone_index=index).delete()
        OneTimeCode.objects.create(
            phone_index=index,
            code_hash=_hash_code(index, code),
            expires_at=timezone.now() + timedelta(seconds=settings.OTP_TTL_SECONDS),
        )
        audit.record("accounts.login_code.sent", actor=None, target=user,
                     changes={"account": user.masked_phone})
        minutes = settings.OTP_TTL_SECONDS // 60
        # Not through the outbox: the person is waiting for it, and a code must never be stored.
        # A failed send is logged; they may ask again after a minute.
        transaction.on_commit(lambda: notify.send_now(
            settings.GRIDGOV_LOGIN_CODE_CHANNEL, kind="accounts.login_code", address=phone,
            body=f"您的登录验证码是{code}，{minutes}分钟内有效。",
        ))


def log_in_with_code(request, phone: str, code: str) -> User:
    index = pii.blind_index(pii.normalize_phone(phone))
    ip = request.META.get("REMOTE_ADDR")
    if throttle.is_locked_out(index, ip):
        raise Refusal("throttled", "登录失败次数过多，请稍后再试")
    with transaction.atomic():
        candidate = (
            OneTimeCode.objects.select_for_update()
            .filter(phone_index=index, used_at=None, expires_at__gt=timezone.now())
            .order_by("-created_at")
            .first()
        )
        user = User.objects.filter(phone_index=index, is_active=True).first()
        accepted = (
            candidate is not None
            and user is not None
            and hmac.compare_digest(candidate.code_hash, _hash_code(index, code.strip()))
        )
        if candidate is not None:
            candidate.attempts += 0 if accepted else 1
            if accepted or candidate.attempts >= CODE_MAX_ATTEMPTS:
                candidate.used_at = timezone.now()
            candidate.save(update_fields=["attempts", "used_at"])
    if not accepted:
        _note_failed_login(index, ip, phone, "code")
        raise Refusal("invalid_code", "验证码不正确或已过期")
    throttle.clear(index)
    return user


def _note_failed_login(index: str, ip: str | None, phone: str, method: str) -> None:
    throttle.note_failure(index, ip)
    audit.record(
        "accounts.login.failed",
        actor=None,
        changes={"account": pii.mask_phone(phone), "method": method},
    )


def record_login(user: User, method: str) -> None:
    audit.record("accounts.login.succeeded", actor=user, target=user, changes={"method": method})
