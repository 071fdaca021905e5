"""Messages for the gettext catalog: marked where they are written, translated when shown."""


def _(message: str) -> str:
    """Marks a message for the catalog (``pybabel extract -k _``); it is translated into the
    reader's language when shown."""
    return message
