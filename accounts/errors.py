"""The one error type services raise for a request they refuse.

It lives in the lowest app so that every app may raise it; the API's exception
handler turns it into problem+json, the pages into a message.
"""


class ApplicationError(Exception):
    def __init__(self, message: str, *, status: int = 409, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field
