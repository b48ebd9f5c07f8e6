"""The shared vector-reading options for commands whose input is a positional PATH (convert, info).

``@input_options("path")`` gives a command the same ``--vectors-format``, ``--limit``,
``--encoding``, ``--unicode-errors`` and ``--allow-pickle`` options as ``@vector_options`` (the
very same definitions), and hands it ``source: VectorSource`` built from its positional PATH.
"""

import functools
import inspect
from collections.abc import Callable
from typing import Any

from embtool.cli.vectors import _VECTOR_PARAMS, UnicodeErrors, VectorSource

_INPUT_PARAMS = [p for p in _VECTOR_PARAMS if p.name != "vectors"]
_INPUT_NAMES = [p.name for p in _INPUT_PARAMS]


def input_options(path_param: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add the vector-reading options; the command receives ``source`` for its ``path_param``."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        sig = inspect.signature(func, eval_str=True)
        params = [p for name, p in sig.parameters.items() if name != "source"]
        new_sig = sig.replace(parameters=params + _INPUT_PARAMS)

        @functools.wraps(func)
        def wrapper(**kwargs: Any) -> Any:
            opts = {name: kwargs.pop(name) for name in _INPUT_NAMES}
            source = VectorSource(
                vectors=str(kwargs[path_param]),
                format=opts["vectors_format"],
                limit=opts["limit"],
                encoding=opts["encoding"],
                unicode_errors=UnicodeErrors(opts["unicode_errors"]).value,
                allow_pickle=opts["allow_pickle"],
            )
            return func(source=source, **kwargs)

        wrapper.__signature__ = new_sig  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in new_sig.parameters.values()}
        del wrapper.__wrapped__
        return wrapper

    return decorate
