"""The one error the PxWeb readers raise for input they do not understand."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class PxWebFormatError(ValueError):
    """A file or response that is not a PxWeb table this package understands.

    ``source`` names the file (or URL), ``detail`` says what was not understood; ``str()`` gives
    both, so a message in a log is enough to find the bad input.
    """

    def __init__(self, detail: str, source: str | None = None) -> None:
        self.detail = detail
        self.source = source
        super().__init__(f"{source}: {detail}" if source else detail)

    def at(self, source: str | None) -> PxWebFormatError:
        """The same error naming ``source`` (kept if it already names one)."""
        if self.source or not source:
            return self
        return PxWebFormatError(self.detail, source)


@contextmanager
def reading(source: str | None) -> Iterator[None]:
    """Turn any failure while reading ``source`` into a :class:`PxWebFormatError` naming it.

    The readers check the structure they rely on and say what is wrong; this guard is the backstop
    for input mangled in ways no check foresaw, so a caller only ever has one error to handle.
    """
    try:
        yield
    except PxWebFormatError as exc:
        raise exc.at(source) from exc
    except (
        KeyError,
        IndexError,
        TypeError,
        ValueError,
        AttributeError,
        OverflowError,
        RecursionError,
    ) as exc:
        raise PxWebFormatError(
            f"unexpected structure ({type(exc).__name__}: {exc})", source
        ) from exc
