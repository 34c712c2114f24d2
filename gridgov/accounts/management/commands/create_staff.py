"""Create a staff account (or reuse the one with this phone number) and give it a role in a scope.

    gridgov create_staff 13800000011 王建国 operator town 新泾镇 --password-stdin < pw.txt

The scope is named by id or by exact name. Without a password the person signs in with an SMS
code. A password is read from standard input or asked for, never taken on the command line,
where it would stay in the shell history.
"""

import getpass
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gridgov.accounts import actions
from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.core import pii
from gridgov.core.errors import Refusal
from gridgov.core import scope as scopes


class Command(BaseCommand):
    help = "创建工作人员账号并授予角色（范围可用编号或名称指定）"
    stealth_options = ("stdin",)  # tests hand the password in here

    def add_arguments(self, parser):
        parser.add_argument("phone", help="手机号")
        parser.add_argument("name", help="姓名")
        parser.add_argument("role", choices=Role.values, help="角色")
        parser.add_argument("scope_kind", choices=[value for value, _label in scopes.kind_choices()],
                            help="范围类型")
        parser.add_argument("scope", help="范围的编号或名称")
        how = parser.add_mutually_exclusive_group()
        how.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码")
        how.add_argument("--ask-password", action="store_true", help="交互输入密码")

    def handle(self, *args, phone, name, role, scope_kind, scope, **options):
        password = self._password(options)
        scope_id = self._scope_id(scope_kind, scope)
        try:
            with transaction.atomic():
                user = User.objects.by_phone(phone).first()
                created = user is None
                if created:
                    user = actions.create_user(actor=None, phone=phone, name=name,
                                               password=password)
                actions.assign_role(user, role, scope_kind, scope_id, actor=None)
        except Refusal as error:
            raise CommandError(error.message) from None
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        if created:
            self.stdout.write(f"已创建账号 {user.masked_phone}，并授予角色：{Role(role).label}")
        else:
            self.stdout.write(f"账号 {user.masked_phone} 已存在（姓名、密码不变），已授予角色：{Role(role).label}")

    def _password(self, options) -> str | None:
        if options["password_stdin"]:
            password = (options.get("stdin") or sys.stdin).readline().rstrip("\n")
        elif options["ask_password"]:
            password = getpass.getpass("密码：")
            if getpass.getpass("再次输入密码：") != password:
                raise CommandError("两次输入的密码不一致")
        else:
            return None
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        return password

    def _scope_id(self, kind: str, scope: str) -> int:
        if scope.isdigit():
            return int(scope)
        registered = scopes.kind(kind)
        matches = registered.ids_named(scope)
        if not matches:
            raise CommandError(f"找不到名为“{scope}”的{registered.label}")
        if len(matches) > 1:
            raise CommandError(f"名为“{scope}”的{registered.label}不止一个，请用编号指定")
        return matches[0]
