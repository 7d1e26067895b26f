"""The small package behind the LBCL salvage book.

``data`` loads validated tables, ``stats`` computes exact intervals, ``plots``
and ``tables`` show results in the house style, ``prose`` glues numbers into
the text, ``citation`` builds the how-to-cite text from CITATION.cff, and
``pdf`` typesets every chapter as a PDF of its own.
"""

__version__ = "0.1.0"
