"""What every app's forms share."""


class ChineseLabels:
    """A form mixin: labels end in the full-width colon (：), as Chinese is written; Django's own
    suffix is the ASCII colon, which Django's Chinese catalogue leaves as it is."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)
