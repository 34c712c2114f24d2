from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.core import pii
from gridgov.core.forms import ChineseLabels


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("手机号"))
        kwargs.setdefault("error_messages", {"required": _("请输入手机号"),
                                             "max_length": _("手机号最多%(limit_value)d位")})
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "tel",
                                                           "inputmode": "numeric"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = pii.normalize_phone(super().clean(value))
        if not pii.is_valid_mobile(value):
            raise forms.ValidationError(_("请输入11位手机号码"), code="invalid_phone")
        return value


class PasswordLoginForm(ChineseLabels, forms.Form):
    phone = PhoneField()
    password = forms.CharField(
        label=_("密码"), error_messages={"required": _("请输入密码")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class CodeRequestForm(ChineseLabels, forms.Form):
    phone = PhoneField()


class CodeLoginForm(ChineseLabels, forms.Form):
    phone = PhoneField()
    code = forms.RegexField(label=_("验证码"), regex=r"^\d{6}$",
                            error_messages={"invalid": _("验证码为6位数字"),
                                            "required": _("请输入短信验证码")},
                            widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                          "autocomplete": "one-time-code"}))
    name = forms.CharField(label=_("您的称呼（首次使用时填写，选填）"), max_length=50, required=False,
                           error_messages={"max_length": _("称呼最多%(limit_value)d个字")},
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))


class SecondFactorForm(ChineseLabels, forms.Form):
    code = forms.CharField(
        label=_("动态验证码或恢复码"), max_length=20,
        error_messages={"required": _("请输入动态验证码或恢复码")},
        widget=forms.TextInput(attrs={"inputmode": "text", "autocomplete": "one-time-code",
                                      "autofocus": True}))
