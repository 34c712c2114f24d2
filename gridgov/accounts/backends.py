from django.contrib.auth.backends import ModelBackend

from gridgov.accounts.models import User


class PhoneBackend(ModelBackend):
    """Password log-in by mobile number (the number is looked up through its blind index)."""

    def authenticate(self, request, username=None, password=None, phone=None, **kwargs):
        phone = phone or username
        if not phone or not password:
            return None
        user = User.objects.by_phone(phone).first()
        if user is None:
            User().set_password(password)  # same work as a real check, so timing tells nothing
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
