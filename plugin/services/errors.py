"""The error services raise for bad input: it names the field, so every UI can point at it."""


class FieldError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class FieldErrors(FieldError):
    """Several fields at fault, found in one pass; as a FieldError it is the first of them
    (what an API answering with one field says), `errors` holds them all."""

    def __init__(self, errors: list[FieldError]):
        super().__init__(errors[0].field, errors[0].message)
        self.errors = errors
