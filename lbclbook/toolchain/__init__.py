"""The toolchain wing: what turns the book's sources into the site and the PDFs.

The package has two wings. The *author wing* (``lbclbook.data``, ``stats``,
``plots``, ``tables``, ``prose``, ``markup``, ``toc``, ``citation``,
``downloads``, ``basis``, ``glossary``, and ``paths``, which both wings use)
is what chapters import. The *toolchain wing*, this sub-package, is Jupyter
Book 1 specific and never imported by a chapter or by the author wing
(``tests/test_wings.py`` enforces it), so a move to another toolchain
replaces this folder and leaves the chapters alone:

- ``build``: ``make book`` (validate, pre-execute, strict build, publish),
  skipped when nothing changed since the last good build (``uptodate``);
- ``execute``: executes the pages on every core before Sphinx reads them;
- ``stamps``: the execution cache's data stamps (its path, what a stamp
  covers, when a record is stale), used by ``execute`` and ``sphinxext``;
- ``sphinxext``: Sphinx extension checking those stamps while pages are read;
- ``site``: Sphinx extension for the hosted site (addresses from
  ``CITATION.cff``, PDF links, a complete sitemap on incremental builds);
- ``pagefixes``, ``lightpage``: Sphinx extensions repairing and lightening
  the theme's HTML;
- ``citing``: Sphinx extension offering each chapter and case for citing
  (citation files, copy buttons, meta tags) and the version in the footer;
- ``changes``: the "What changed" page, from the data at each release tag;
- ``release``, ``versions``: ``make release``, and the publishing step that
  keeps every release readable under ``/vX.Y.Z/``;
- ``bibstyle``: the pybtex/sphinxcontrib-bibtex bibliography styles;
- ``pdf``, ``pdfext``, ``latex/``: ``make pdf``, one PDF per chapter;
- ``teaching`` (with ``chapterpage``, ``decks``, ``handouts``): each chapter's
  slide deck (.pptx) and handout (PDF), made by ``make book`` from the built
  page, and the links to them;
- ``uptodate``: the fingerprint of a build's inputs and of the site it published.
"""
