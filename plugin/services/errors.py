"""The error services raise for bad input: it names the field, so every UI can point at it."""


class FieldError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
