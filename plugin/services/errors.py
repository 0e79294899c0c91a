"""The errors services raise for what they refuse: each keeps its message as a catalog text with
values, so every screen can say it in its user's language (the API and the CLI say it in
English); a FieldError also names its field, so every UI can point at it."""


def N_(text: str) -> str:
    """Mark a message for the catalog where it is not written inside the error's call (pybabel
    finds `N_` by default); it stays English until a screen translates it."""
    return text


class Word(str):
    """A value that is itself a catalog text ("start", "a correction"): translated with the
    message it fills."""


class Explained(Exception):
    """`message` is a catalog text with %(name)s placeholders filled from `values`."""

    def __init__(self, message: str, **values):
        self.template, self.values = message, values
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """In English: for the API, the CLI and the logs."""
        return self.said(str)

    def said(self, gettext) -> str:
        """In the language of `gettext` (a screen's: flask_babel.gettext)."""
        text = gettext(self.template)
        if not self.values:
            return text
        return text % {name: gettext(value) if isinstance(value, Word) else value
                       for name, value in self.values.items()}


class FieldError(Explained, ValueError):
    """Bad input, at `field`."""

    def __init__(self, field: str, message: str, **values):
        self.field = field
        super().__init__(message, **values)
        self.args = (f"{field}: {self.message}",)

    def at(self, field: str) -> "FieldError":
        """The same message at another field (a check that did not know the field's name)."""
        return FieldError(field, self.template, **self.values)


class FieldErrors(FieldError):
    """Several fields at fault, found in one pass; as a FieldError it is the first of them
    (what an API answering with one field says), `errors` holds them all."""

    def __init__(self, errors: list[FieldError]):
        first = errors[0]
        super().__init__(first.field, first.template, **first.values)
        self.errors = errors
