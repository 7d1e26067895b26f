"""Execute the book's pages on every core before Sphinx reads them.

Sphinx (with MyST-NB) executes notebooks one at a time while it reads the
pages. A clean build spends most of its time there, on one core. So before
the build, this module

1. finds the executable pages of ``_toc.yml`` (MyST notebooks with code cells),
2. reads each with MyST-NB's own reader and configuration, so that its
   jupyter-cache hash is the one Sphinx will compute,
3. executes, in a pool of worker processes, those without a cache record
   made from the current data (the data stamps of ``stamps``), each in
   its own folder as the build does; a page that lists ``figures/`` runs
   after the pages that write the figures,
4. stores the executed notebooks in the jupyter-cache MyST-NB uses, with
   their data stamps, so Sphinx finds every page in the cache and executes
   nothing.

A failing cell stops the build here, its traceback printed.
"""

from __future__ import annotations

import fnmatch
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .. import toc
from . import stamps
from .stamps import CACHE


@dataclass
class Page:
    path: Path          # the page's source file
    notebook: object    # as MyST-NB reads it (nbformat.NotebookNode)
    hashkey: str        # its jupyter-cache key
    stamp: str          # stamps.fingerprint of its data


@dataclass
class Outcome:
    notebook: object
    seconds: float
    traceback: str | None


def execute_pages(root: Path, jobs: int) -> bool:
    """Execute every page not cached for its current data; False if one failed."""
    from jupyter_cache import get_cache

    md_config, nb_config = _parser_configs(root)
    if nb_config.execution_mode != "cache":
        return True  # "force", "auto", "off": leave execution to MyST-NB
    cache = get_cache(str(root / CACHE))
    paths = [path for path in executable_pages(root)
             if not _excluded(root, path, nb_config.execution_excludepatterns)]
    # A page that lists the files in figures/ runs after the pages that write
    # them, and its data stamp (which covers that list) is taken only then.
    lists_figures = {path for path in paths if stamps.lists_figures(path.read_text("utf-8"))}
    waves = [[p for p in paths if p not in lists_figures],
             [p for p in paths if p in lists_figures]]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for wave in waves:
            pages = [_read(root, path, md_config, nb_config, cache) for path in wave]
            if not _execute_wave(root, pages, pool, jobs, cache, nb_config):
                return False
    return True


def _execute_wave(root: Path, pages: list[Page], pool, jobs: int, cache, nb_config) -> bool:
    """Execute the pages not cached for their data, in parallel; store them."""
    recorded = stamps.Stamps(cache.path)
    stale = [page for page in pages
             if not stamps.drop_stale(cache, page.notebook, page.stamp, recorded)]
    if not stale:
        return True
    print(f"lbclbook.toolchain.execute: executing {len(stale)} page(s) "
          f"on {min(jobs, len(stale))} worker(s)", flush=True)
    futures = [(page, pool.submit(_execute, page.notebook, page.path.parent,
                                  nb_config.execution_timeout,
                                  nb_config.execution_allow_errors))
               for page in stale]
    failed = False
    for page, future in futures:
        outcome = future.result()
        name = page.path.relative_to(root).as_posix()
        if outcome.traceback is not None:
            print(f"lbclbook.toolchain.execute: {name}: executing the notebook failed\n"
                  f"{outcome.traceback}", file=sys.stderr, flush=True)
            failed = True
            continue
        _store(cache, page, outcome)
        recorded.record(page.hashkey, page.stamp)
        print(f"lbclbook.toolchain.execute: {name}: executed in {outcome.seconds:.1f} s", flush=True)
    return not failed


def executable_pages(root: Path) -> list[Path]:
    """The pages of ``_toc.yml`` that are MyST notebooks with code cells."""
    pages = []
    for name in toc.pages_in_toc(root):
        path = root / (name if Path(name).suffix else f"{name}.md")
        if path.suffix == ".md" and stamps.is_executable(path.read_text("utf-8")):
            pages.append(path)
    return pages


def _parser_configs(root: Path):
    """MyST's and MyST-NB's configuration, as Jupyter Book gives them to Sphinx."""
    from jupyter_book.config import get_final_config
    from myst_nb.core.config import NbParserConfig
    from myst_parser.config.main import MdParserConfig

    sphinx_config, _ = get_final_config(
        user_yaml=root / "_config.yml", sourcedir=root,
        cli_config={"latex_individualpages": False})

    def options(prefix: str, config_class) -> dict:
        names = {name for name, _, _ in config_class().as_triple()}
        return {key.removeprefix(prefix): value for key, value in sphinx_config.items()
                if key.startswith(prefix) and key.removeprefix(prefix) in names}

    return MdParserConfig(**options("myst_", MdParserConfig)), \
        NbParserConfig(**options("nb_", NbParserConfig))


def _read(root: Path, path: Path, md_config, nb_config, cache) -> Page:
    """Read a page as ``sphinxext._drop_stale_cache_entry`` (and MyST-NB) do."""
    from myst_nb.core.read import create_nb_reader

    text = path.read_text("utf-8")
    reader = create_nb_reader(str(path), md_config, nb_config, text)
    notebook = reader.read(text)
    return Page(path, notebook, stamps.hashkey(cache, notebook), stamps.fingerprint(root, text))


def _excluded(root: Path, path: Path, patterns: list[str]) -> bool:
    name = path.relative_to(root).as_posix()
    return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)


KERNEL_STARTUP_TIMEOUT = 300  # seconds


def _execute(notebook, folder: Path, timeout: int, allow_errors: bool) -> Outcome:
    """Run in a worker process: execute one notebook in its own folder."""
    from jupyter_cache.executors.utils import single_nb_execution

    started = time.monotonic()
    # The same call, with the same options, as MyST-NB's cache client makes.
    # nbclient gives a kernel 60 s to start; on a loaded 2-core machine (the
    # test suite runs two builds beside its own work) that has run out. A
    # kernel that is slow to start is not an error of the page.
    result = single_nb_execution(notebook, cwd=str(folder), timeout=timeout,
                                 allow_errors=allow_errors, meta_override=True,
                                 startup_timeout=KERNEL_STARTUP_TIMEOUT)
    return Outcome(result.nb, time.monotonic() - started, result.exc_string)


def _store(cache, page: Page, outcome: Outcome) -> None:
    from jupyter_cache.base import CacheBundleIn

    cache.cache_notebook_bundle(
        CacheBundleIn(outcome.notebook, str(page.path),
                      data={"execution_seconds": outcome.seconds}),
        check_validity=False, overwrite=True)


def write_executed(root: Path, folder: Path) -> int:
    """Write each page's cached notebook, outputs included, under ``folder``.

    MyST-NB writes a page it takes from the cache to ``jupyter_execute``
    without its outputs, which would leave nbval nothing to compare; this
    writes the executed notebooks as the cache holds them. Returns how many.
    """
    import nbformat
    from jupyter_cache import get_cache

    md_config, nb_config = _parser_configs(root)
    cache = get_cache(str(root / CACHE))
    written = 0
    for path in executable_pages(root):
        page = _read(root, path, md_config, nb_config, cache)
        try:
            _, executed = cache.merge_match_into_notebook(page.notebook)
        except KeyError:
            continue  # excluded from execution
        target = folder / path.relative_to(root).with_suffix(".ipynb")
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(executed, str(target))
        written += 1
    return written
