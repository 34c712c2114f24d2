from django import template

from gridgov.core import pii

register = template.Library()


@register.filter
def public_text(value: str) -> str:
    """Free text fit for a public page: phone and ID numbers (and plates, where chosen) hidden."""
    return pii.mask_free_text(value)


@register.filter
def masked_name(value: str) -> str:
    """A person's name masked (张**), as every list shows it."""
    return pii.mask_name(value or "")
