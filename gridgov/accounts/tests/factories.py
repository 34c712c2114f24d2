import factory
from factory.django import DjangoModelFactory

from gridgov.accounts.models import User

PASSWORD = "qingting-57-hu"


class UserFactory(DjangoModelFactory):
    """A user with a usable password (PASSWORD unless given); phone numbers 139xxxxxxxx."""

    class Meta:
        model = User

    phone = factory.Sequence(lambda n: f"139{n:08d}")
    name = factory.Faker("name", locale="zh_CN")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, **kwargs)
