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

from gridgov.accounts import throttle, two_factor
from gridgov.accounts.models import OneTimeCode, RoleAssignment, TwoFactor, User
from gridgov.accounts.roles import GRANTABLE_ROLES, ROLE_SCOPES, Role
from gridgov.core import audit, notify, pii, ratelimit, scope
from gridgov.core.errors import Refusal
from gridgov.core.scope import forget_assignments, roles_of

audit.register("accounts.user.created", "新建账号")
audit.register("accounts.role.assigned", "授予角色")
audit.register("accounts.role.revoked", "撤销角色")
audit.register("accounts.two_factor.enrolled", "绑定身份验证器")
audit.register("accounts.two_factor.reset", "重置身份验证器")
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


def check_grant(actor, role: str, scope_kind: str, scope_id: int) -> None:
    """Refuse a grant or a revocation that is not the actor's to make: a role above the actor's
    own rights (GRANTABLE_ROLES), or a scope outside the scope of the role that would grant it.
    The one rule for the admin site, the API and the commands; no actor is the installation
    itself (`gridgov create_staff`, the demo loader), like a superuser."""
    if actor is None or actor.is_superuser:
        return
    granting = [held for held in roles_of(actor) if role in GRANTABLE_ROLES.get(held, ())]
    if not granting:
        raise Refusal("forbidden", "无权授予或撤销该角色", "role")
    within = scope.kind(scope_kind).model.objects.visible_to(actor, roles=granting)
    if not within.filter(pk=scope_id).exists():
        raise Refusal("out_of_scope", "只能在本人管理的范围内授予或撤销角色", "scope_id")


def may_manage(actor, user: User) -> bool:
    """Whether `actor` may change `user`'s account (name, phone, password, roles): only when
    every role the user holds is one the actor could grant, so that nobody takes over an
    account with more rights or reaching further than their own."""
    if actor is None or actor.is_superuser:
        return True
    if user.is_superuser:
        return False
    try:
        for role, kind, scope_id in user.role_assignments.values_list("role", "scope_kind",
                                                                      "scope_id"):
            check_grant(actor, role, kind, scope_id)
    except Refusal:
        return False
    return True


def _town_of_scope(scope_kind: str, scope_id: int) -> int | None:
    return audit.town_of(scope.kind(scope_kind).model.objects.filter(pk=scope_id).first())


@transaction.atomic
def assign_role(user: User, role: str, scope_kind: str, scope_id: int, *, actor) -> RoleAssignment:
    check_assignment(role, scope_kind, scope_id)
    check_grant(actor, role, scope_kind, scope_id)
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, scope_kind=scope_kind, scope_id=scope_id
    )
    if created:
        audit.record(
            "accounts.role.assigned",
            actor=actor,
            target=user,
            changes={"role": role, "scope_kind": scope_kind, "scope_id": scope_id},
            town=_town_of_scope(scope_kind, scope_id),
        )
    forget_assignments(user)
    return assignment


@transaction.atomic
def revoke_role(assignment: RoleAssignment, *, actor) -> None:
    check_grant(actor, assignment.role, assignment.scope_kind, assignment.scope_id)
    audit.record(
        "accounts.role.revoked",
        actor=actor,
        target=assignment.user,
        changes={"role": assignment.role, "scope_kind": assignment.scope_kind,
                 "scope_id": assignment.scope_id},
        town=_town_of_scope(assignment.scope_kind, assignment.scope_id),
    )
    assignment.delete()
    forget_assignments(assignment.user)


def _throttled() -> Refusal:
    return Refusal("throttled", "登录失败次数过多，请稍后再试")


def log_in_with_password(request, phone: str, password: str) -> User:
    ip = request.META.get("REMOTE_ADDR")
    index = pii.blind_index(pii.normalize_phone(phone))
    if not throttle.attempt(index, ip):
        raise _throttled()
    user = authenticate(request, phone=phone, password=password)
    if user is None:
        _note_failed_login(phone, "password")
        raise Refusal("invalid", "手机号或密码不正确")
    throttle.succeeded(index, ip)
    return user


def _hash_code(phone_index: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone_index}:{code}".encode(),
                    hashlib.sha256).hexdigest()


def send_login_code(request, phone: str) -> None:
    """Send a six-digit code to an active user's number, or to a number with no account yet (the
    code then signs a resident up, log_in_with_code); a deactivated account gets none. The
    answer is the same either way, and the one-a-minute limit and the caps per address and per
    number a day count every request, so that the answers cannot tell which numbers have an
    account, nor send more messages to a stranger's phone than to one's own."""
    phone = pii.normalize_phone(phone)
    if not pii.is_valid_mobile(phone):
        raise Refusal("invalid_phone", "请输入11位手机号码")
    index = pii.blind_index(phone)
    ip = request.META.get("REMOTE_ADDR")
    if throttle.is_locked_out(index, ip):
        raise _throttled()
    if not settings.GRIDGOV_LOGIN_CODE_CHANNEL:
        raise Refusal("sms_off", "本平台未开通短信验证码登录，请使用密码登录")
    caps = _code_caps(index, ip)
    refused = ratelimit.exceeded(caps)
    if refused is not None:
        raise Refusal("rate_limited", CODE_CAP_MESSAGES[refused.rate.purpose], "phone")
    if not cache.add(f"login-code-sent:{index}", 1, timeout=CODE_RESEND_SECONDS):
        raise Refusal("too_soon", "验证码已发送，请一分钟后再试")
    ratelimit.count(caps)
    user = User.objects.filter(phone_index=index).first()
    if user is not None and not user.is_active:
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
                     changes={"account": pii.mask_phone(phone),
                              **({"new_number": True} if user is None else {})})
        minutes = settings.OTP_TTL_SECONDS // 60
        # Not through the outbox: the person is waiting for it, and a code must never be stored.
        # A failed send is logged; they may ask again after a minute.
        transaction.on_commit(lambda: notify.send_now(
            settings.GRIDGOV_LOGIN_CODE_CHANNEL, kind="accounts.login_code", address=phone,
            body=f"您的登录验证码是{code}，{minutes}分钟内有效。",
        ))


CODE_CAP_MESSAGES = {
    "login-codes-address": "此网络请求验证码过于频繁，请一小时后再试或使用密码登录",
    "login-codes-phone": "该手机号今日获取验证码的次数已达上限，请明天再试或使用密码登录",
}


def _code_caps(index: str, ip: str | None) -> list[tuple[ratelimit.Rate, str]]:
    """Codes sent per address each hour and per number each day (whether or not the number is
    registered, like the one-a-minute limit): SMS costs money and floods a phone."""
    return [
        (ratelimit.Rate("login-codes-address", settings.LOGIN_CODES_PER_ADDRESS, 3600), ip or ""),
        (ratelimit.Rate("login-codes-phone", settings.LOGIN_CODES_PER_PHONE_PER_DAY, 86400),
         index),
    ]


# The name a resident signed up by code has until they give one (the report form asks it).
NEW_RESIDENT_NAME = "居民"


def log_in_with_code(request, phone: str, code: str, name: str = "") -> User:
    """The user of this number, once the latest code sent to it is entered; a number with no
    account yet becomes a resident's account (no role) on its first correct code."""
    phone = pii.normalize_phone(phone)
    index = pii.blind_index(phone)
    ip = request.META.get("REMOTE_ADDR")
    if not throttle.attempt(index, ip):
        raise _throttled()
    with transaction.atomic():
        candidate = (
            OneTimeCode.objects.select_for_update()
            .filter(phone_index=index, used_at=None, expires_at__gt=timezone.now())
            .order_by("-created_at")
            .first()
        )
        user = User.objects.filter(phone_index=index).first()
        accepted = (
            candidate is not None
            and (user is None or user.is_active)
            and hmac.compare_digest(candidate.code_hash, _hash_code(index, code.strip()))
        )
        if candidate is not None:
            candidate.attempts += 0 if accepted else 1
            if accepted or candidate.attempts >= CODE_MAX_ATTEMPTS:
                candidate.used_at = timezone.now()
            candidate.save(update_fields=["attempts", "used_at"])
        if accepted and user is None:
            # Inside the code's lock: two tries with the same code create one account.
            user = create_user(actor=None, phone=phone,
                               name=(name or "").strip()[:50] or NEW_RESIDENT_NAME)
    if not accepted:
        _note_failed_login(phone, "code")
        raise Refusal("invalid_code", "验证码不正确或已过期")
    throttle.succeeded(index, ip)
    return user


def _note_failed_login(phone: str, method: str) -> None:
    audit.record(
        "accounts.login.failed",
        actor=None,
        changes={"account": pii.mask_phone(phone), "method": method},
    )


@transaction.atomic
def enrol_two_factor(user: User, secret: str, code: str, *, actor) -> list[str]:
    """Bind the authenticator app holding `secret` once it shows it works (`code`); returns the
    recovery codes, shown once (only their hashes are kept). Replaces an earlier binding."""
    step = two_factor.matching_step(secret, code.strip(), timezone.now().timestamp())
    if step is None:
        raise Refusal("invalid_code", "动态验证码不正确，请核对手机时间后重试")
    codes = two_factor.new_recovery_codes()
    TwoFactor.objects.update_or_create(user=user, defaults={
        "secret": secret, "last_step": step,
        "recovery_hashes": [two_factor.recovery_hash(c) for c in codes]})
    audit.record("accounts.two_factor.enrolled", actor=actor, target=user)
    return codes


@transaction.atomic
def reset_two_factor(user: User, *, actor) -> None:
    """Unbind a lost authenticator app: the user enrols a new one at the next log-in. Only for
    an account the actor may manage."""
    if not may_manage(actor, user):
        raise Refusal("forbidden", "无权管理该账号", "user")
    if TwoFactor.objects.filter(user=user).delete()[0]:
        audit.record("accounts.two_factor.reset", actor=actor, target=user)


def pass_second_factor(request, user: User, code: str) -> str:
    """Accept a code of the user's authenticator app (each time step once) or one of their
    recovery codes (each once); returns which. Tries count toward the log-in throttle."""
    ip = request.META.get("REMOTE_ADDR")
    if not throttle.attempt(user.phone_index, ip):
        raise _throttled()
    with transaction.atomic():
        device = TwoFactor.objects.select_for_update().get(user=user)
        step = two_factor.matching_step(device.secret, code.strip(), timezone.now().timestamp())
        hashed = two_factor.recovery_hash(code)
        if step is not None and step > device.last_step:
            device.last_step, used = step, "totp"
        elif hashed in device.recovery_hashes:
            device.recovery_hashes.remove(hashed)
            used = "recovery_code"
        else:
            used = None
        if used:
            device.save(update_fields=["last_step", "recovery_hashes"])
    if used is None:
        _note_failed_login(user.phone, "second_factor")
        raise Refusal("invalid_code", "动态验证码或恢复码不正确")
    throttle.succeeded(user.phone_index, ip)
    return used


def record_login(user: User, method: str) -> None:
    audit.record("accounts.login.succeeded", actor=user, target=user, changes={"method": method})
