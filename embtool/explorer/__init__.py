"""The local web explorer behind ``embtool serve``: a JSON API and one offline page over one store.

:mod:`~embtool.explorer.api` answers queries (framework-free, records from :mod:`embtool.records`);
:mod:`~embtool.explorer.app` wraps it in a Starlette ASGI app with its packaged static files;
:mod:`~embtool.explorer.jobs` runs t-SNE maps in the background with progress. Starlette is the
optional ``embtool[serve]`` extra, imported only by :mod:`~embtool.explorer.app`.
"""
