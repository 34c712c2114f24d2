from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.core import pii


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("手机号"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "tel",
                                                           "inputmode": "numeric"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = pii.normalize_phone(super().clean(value))
        if not pii.is_valid_mobile(value):
            raise forms.ValidationError(_("请输入11位手机号码"), code="invalid_phone")
        return value


class PasswordLoginForm(forms.Form):
    phone = PhoneField()
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}))


class CodeRequestForm(forms.Form):
    phone = PhoneField()


class CodeLoginForm(forms.Form):
    phone = PhoneField()
    code = forms.RegexField(label=_("验证码"), regex=r"^\d{6}$",
                            error_messages={"invalid": _("验证码为6位数字")},
                            widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                          "autocomplete": "one-time-code"}))


class SecondFactorForm(forms.Form):
    code = forms.CharField(label=_("动态验证码或恢复码"), max_length=20, widget=forms.TextInput(
        attrs={"inputmode": "text", "autocomplete": "one-time-code", "autofocus": True}))
