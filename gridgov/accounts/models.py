from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.roles import TWO_FACTOR_ROLES, Role
from gridgov.core import pii
from gridgov.core import scope
from gridgov.core.scope import ScopedQuerySet


def _assignments_within(kind: str, ids) -> models.Q:
    """Role assignments whose scope lies within the `kind` scopes `ids`: what lies where is each
    scope model's own rule (a grid lies in its town, a department in its town...)."""
    condition = models.Q(pk__in=[])
    for assigned_kind, _label in scope.kind_choices():
        model = scope.kind(assigned_kind).model
        rule = model.objects.all().scope_rules.get(kind)
        if rule is not None:
            condition |= models.Q(scope_kind=assigned_kind,
                                  scope_id__in=model.objects.filter(rule(ids)).values("pk"))
    return condition


def _assignment_rule(kind: str):
    return lambda ids: _assignments_within(kind, ids)


def _holder_rule(kind: str):
    return lambda ids: models.Q(
        pk__in=RoleAssignment.objects.filter(_assignments_within(kind, ids)).values("user_id"))


class UserQuerySet(ScopedQuerySet):
    """A user is within a scope when one of their role assignments is: the staff of a town.
    An account without a role (a resident) belongs to no town and is in nobody's scope."""

    @property
    def scope_rules(self):  # over the kinds registered when the apps have started
        return {kind: _holder_rule(kind) for kind, _label in scope.kind_choices()}

    def without_second_factor(self):
        """Accounts that sign in with two factors (two_factor.needs_second_factor: superusers,
        town-wide holders of TWO_FACTOR_ROLES) but have not enrolled an authenticator yet."""
        town_wide = RoleAssignment.objects.filter(role__in=TWO_FACTOR_ROLES,
                                                  scope_kind=scope.ScopeKind.TOWN)
        return self.filter(models.Q(is_superuser=True) | models.Q(pk__in=town_wide.values("user_id")),
                           two_factor__isnull=True, is_active=True)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    def get_by_natural_key(self, phone):
        return self.get(phone_index=pii.blind_index(pii.normalize_phone(phone)))

    def by_phone(self, phone: str):
        return self.filter(phone_index=pii.blind_index(pii.normalize_phone(phone)))

    def create_user(self, phone, password=None, **fields):
        user = self.model(phone=phone, **fields)
        user.set_password(password) if password else user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, phone_index, password=None, **fields):
        # createsuperuser asks for the USERNAME_FIELD: the person types a phone number.
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(phone_index, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in: residents and staff alike, known by a mobile number.

    The number is stored encrypted and found by its blind index; the name is shown masked."""

    phone = pii.EncryptedTextField(_("手机号"))
    phone_index = models.CharField(_("手机号"), max_length=64, unique=True, editable=False)
    name = models.CharField(_("姓名"), max_length=50)
    id_number = pii.EncryptedTextField(_("身份证号"), blank=True, default="")
    id_number_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    is_staff = models.BooleanField(_("可进入管理后台"), default=False)
    date_joined = models.DateTimeField(_("注册时间"), default=timezone.now)

    USERNAME_FIELD = "phone_index"
    REQUIRED_FIELDS = ["name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return pii.mask_name(self.name) or pii.mask_phone(self.phone)

    def get_short_name(self) -> str:
        # The admin greets by this (else by USERNAME_FIELD, the blind index's hash), masked
        # like the name in the top bar of every page.
        return str(self)

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        self.phone = pii.normalize_phone(self.phone)
        if not pii.is_valid_mobile(self.phone):
            errors["phone"] = _("请输入11位手机号码")
        self.phone_index = pii.blind_index(self.phone)
        if self.id_number:
            self.id_number = pii.normalize_id_number(self.id_number)
            if not pii.is_valid_id_number(self.id_number):
                errors["id_number"] = _("身份证号码格式或校验位不正确")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.phone = pii.normalize_phone(self.phone)
        pii.index_person(self)
        super().save(*args, **kwargs)

    @property
    def masked_phone(self) -> str:
        return pii.mask_phone(self.phone)

    @property
    def masked_name(self) -> str:
        return pii.mask_name(self.name)


class RoleAssignmentQuerySet(ScopedQuerySet):
    @property
    def scope_rules(self):
        return {kind: _assignment_rule(kind) for kind, _label in scope.kind_choices()}


class RoleAssignment(models.Model):
    """A staff role held within one scope: a town, a community, a grid or a department."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    scope_kind = models.CharField(_("范围类型"), max_length=20, choices=scope.kind_choices)
    scope_id = models.PositiveBigIntegerField(_("范围编号"))
    created_at = models.DateTimeField(_("授权时间"), auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "scope_kind", "scope_id"], name="unique_role_assignment"
            )
        ]
        indexes = [models.Index(fields=["scope_kind", "scope_id", "role"])]

    def __str__(self) -> str:
        return f"{self.get_role_display()} · {self.get_scope_kind_display()} {self.scope_id}"


class OneTimeCode(models.Model):
    """A log-in code sent by SMS; only its hash is kept, it expires and allows few attempts."""

    phone_index = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")


class TwoFactor(models.Model):
    """A staff member's authenticator app (TOTP, RFC 6238): the shared secret, encrypted; the
    last time step a code was accepted for (each code works once); and the keyed hashes of the
    recovery codes not used yet."""

    user = models.OneToOneField(User, verbose_name=_("用户"), on_delete=models.CASCADE,
                                related_name="two_factor")
    secret = pii.EncryptedTextField(_("密钥"))
    last_step = models.BigIntegerField(default=0)
    recovery_hashes = models.JSONField(default=list)
    enrolled_at = models.DateTimeField(_("绑定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("身份验证器")
        verbose_name_plural = _("身份验证器")


def assignments_with_scopes(user) -> list[tuple[RoleAssignment, models.Model | None]]:
    """The user's role assignments, each beside the record its scope names (a town, a grid...;
    None when that record is gone): one query per scope kind, however many there are."""
    assignments = list(user.role_assignments.order_by("role", "scope_kind", "scope_id"))
    wanted: dict[str, set[int]] = {}
    for assignment in assignments:
        wanted.setdefault(assignment.scope_kind, set()).add(assignment.scope_id)
    scopes = {kind: scope.kind(kind).records(ids) for kind, ids in wanted.items()}
    return [(a, scopes[a.scope_kind].get(a.scope_id)) for a in assignments]
