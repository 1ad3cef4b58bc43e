from . import _lib


class VagapError(Exception):
    """A failure reported by libvagap: .status (e.g. "EDOMAIN"), .message, .line, .column."""

    def __init__(self, err):
        self.status = _lib.STATUS_NAMES[err.status] if 0 <= err.status < len(_lib.STATUS_NAMES) \
            else str(err.status)
        self.message = err.message.decode("utf-8", "replace")
        self.file = err.file.decode("utf-8", "replace")
        self.line, self.column = err.line, err.column
        where = ""
        if self.file:
            where = self.file + ":"
            if self.line:
                where += "%d:" % self.line
                if self.column:
                    where += "%d:" % self.column
            where += " "
        super().__init__(where + self.message)


def check(status, err):
    if status != _lib.VAGAP_OK:
        raise VagapError(err)
